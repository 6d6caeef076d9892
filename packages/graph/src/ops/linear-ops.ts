// MatMul, Gemm, Conv (dispatched to @qint/kernels) and ConvTranspose (direct loops here).
import { conv, gemm, gemmF32Batched, matMul, prepareGemmWeights, type ConvAttributes, type GemmWeights } from '@qint/kernels';
import { DTypeError, ShapeError, Tensor, broadcastShapes, formatShape } from '@qint/tensor';
import type { Dim } from '../ir';
import { convTransposeNd } from './conv-transpose-nd';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition, ShapeInferrer } from './op-definition';
import { readAutoPad, windowGeometry } from './pool-geometry';
import { matMulF64 } from './mat-mul-f64';
import { checkOutputSize, need, sameBatchMatMul } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';
import { asBiasVector } from '../fuse-conv-bias-activation';
import { convEpilogueOptions, readConvEpilogue } from '../conv-epilogue';
import { allocateF32 } from '../buffer-pool';

/** Conv-family attributes in the kernels' option form. */
export function convAttributes(ctx: OpBuildContext): ConvAttributes {
  const a = ctx.attrs;
  const autoPad = readAutoPad(a);
  const kernel = a.ints('kernel_shape');
  if (kernel && kernel.length > 2) throw new UnsupportedVariant(`${kernel.length}-D convolution is not supported (1-D and 2-D are)`);
  const out: { -readonly [K in keyof ConvAttributes]: ConvAttributes[K] } = { autoPad, group: a.int('group', 1) };
  const dilations = a.ints('dilations');
  const pads = a.ints('pads');
  const strides = a.ints('strides');
  if (dilations) out.dilations = dilations.slice();
  if (pads) out.pads = pads.slice();
  if (strides) out.strides = strides.slice();
  if (kernel) out.kernelShape = kernel.slice();
  return out;
}

/** Output shape inference of Conv-like ops (X `[N,C,…]`, W `[M,C/g,k…]`). */
export function convInfer(xAt: number, wAt: number, outDtype?: 'float32' | 'int32'): ShapeInferrer {
  return (ctx, inputs) => {
    const x = inputs[xAt];
    const w = inputs[wAt];
    const dtype = outDtype ?? x?.dtype;
    if (!x?.shape || !w?.shape) return [{ dtype }];
    const spatial = x.shape.slice(2);
    const kernel = ctx.attrs.ints('kernel_shape') ?? (w.shape.slice(2) as number[]);
    let out: Dim[] = spatial.map(() => undefined);
    if (spatial.every((d): d is number => typeof d === 'number') && kernel.every((d) => typeof d === 'number')) {
      try {
        out = [
          ...windowGeometry(spatial, {
            kernel,
            strides: ctx.attrs.ints('strides'),
            dilations: ctx.attrs.ints('dilations'),
            pads: ctx.attrs.ints('pads'),
            autoPad: ctx.attrs.string('auto_pad', 'NOTSET'),
            ceilMode: false,
          }).outSize,
        ];
      } catch {
        // leave unknown
      }
    }
    return [{ dtype, shape: [x.shape[0], w.shape[0], ...out] }];
  };
}

const matMulInfer: ShapeInferrer = (_ctx, inputs) => {
  const [a, b] = inputs;
  const dtype = a?.dtype === 'float32' || !a?.dtype ? a?.dtype : a.dtype;
  if (!a?.shape || !b?.shape) return [{ dtype }];
  const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const batchA = as.slice(0, -2);
  const batchB = bs.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = batchA[batchA.length - rank + i] ?? 1;
    const db = batchB[batchB.length - rank + i] ?? 1;
    batch.push(da === 1 ? db : db === 1 ? da : typeof da === 'number' ? da : db);
  }
  const shape: Dim[] = [...batch];
  if (a.shape.length > 1) shape.push(as[as.length - 2]);
  if (b.shape.length > 1) shape.push(bs[bs.length - 1]);
  return [{ dtype, shape }];
};

/**
 * ConvTranspose (1-D or 2-D here, 3-D and up in conv-transpose-nd.ts; groups, strides, dilations, pads / auto_pad / output_shape / output_padding), float32.
 * W is `[C, M/group, kH, kW]`.
 */
export function convTranspose(x: Tensor, w: Tensor, bias: Tensor | undefined, ctx: ConvTransposeAttributes): Tensor {
  if (x.dtype !== 'float32' || w.dtype !== 'float32') throw new DTypeError(`ConvTranspose: X and W must be float32, got ${x.dtype} and ${w.dtype}`);
  if (x.rank > 4) return convTransposeNd(x, w, bias, ctx);
  if ((x.rank !== 3 && x.rank !== 4) || w.rank !== x.rank) throw new ShapeError(`ConvTranspose: X ${formatShape(x.shape)} and W ${formatShape(w.shape)} must both be 3-D or 4-D`);
  const one = x.rank === 3;
  const [n, c] = x.shape;
  const H = one ? 1 : x.shape[2];
  const W = x.shape[x.rank - 1];
  const g = ctx.group;
  if (w.shape[0] !== c || c % g !== 0) throw new ShapeError(`ConvTranspose: W ${formatShape(w.shape)} must have ${c} input channels divisible by group ${g}`);
  const mPerG = w.shape[1];
  const m = mPerG * g;
  const kH = one ? 1 : w.shape[2];
  const kW = w.shape[w.rank - 1];
  const lift = (v: readonly number[] | undefined, d: number): number[] => (v ? (one ? [d, ...v] : v.slice()) : [d, d]);
  const strides = lift(ctx.strides, 1);
  const dil = lift(ctx.dilations, 1);
  const outPad = lift(ctx.outputPadding, 0);
  const inSize = [H, W];
  const k = [kH, kW];
  const padsIn = ctx.pads ? (one ? [0, ctx.pads[0], 0, ctx.pads[1]] : ctx.pads.slice()) : [0, 0, 0, 0];
  const outSize = [0, 0];
  const padBegin = [0, 0];
  for (let i = 0; i < 2; i++) {
    const eff = (k[i] - 1) * dil[i] + 1;
    const full = strides[i] * (inSize[i] - 1) + outPad[i] + eff;
    const wanted = ctx.outputShape ? (one ? [1, ...ctx.outputShape] : ctx.outputShape)[i] : undefined;
    if (wanted !== undefined || ctx.autoPad === 'SAME_UPPER' || ctx.autoPad === 'SAME_LOWER') {
      const target = wanted ?? inSize[i] * strides[i];
      const total = full - target;
      // SAME_UPPER puts the extra pad at the end; SAME_LOWER (and an explicit output_shape) at the start.
      padBegin[i] = ctx.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
      outSize[i] = target;
    } else if (ctx.autoPad === 'VALID') {
      padBegin[i] = 0;
      outSize[i] = full;
    } else {
      padBegin[i] = padsIn[i];
      outSize[i] = full - padsIn[i] - padsIn[i + 2];
    }
    if (outSize[i] < 0) throw new ShapeError(`ConvTranspose: output dim ${i} would be negative (${outSize[i]})`);
  }
  const [OH, OW] = outSize;
  const xd = x.data as Float32Array;
  const wd = w.data as Float32Array;
  checkOutputSize('float32', [n, m, OH, OW], 'ConvTranspose output');
  const acc = new Float64Array(n * m * OH * OW);
  const cPerG = c / g;
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < c; ci++) {
      const grp = Math.floor(ci / cPerG);
      for (let iy = 0; iy < H; iy++) {
        for (let ix = 0; ix < W; ix++) {
          const v = xd[((b * c + ci) * H + iy) * W + ix];
          if (v === 0) continue;
          for (let mo = 0; mo < mPerG; mo++) {
            const oc = grp * mPerG + mo;
            const wBase = (ci * mPerG + mo) * kH * kW;
            const oBase = (b * m + oc) * OH * OW;
            for (let ky = 0; ky < kH; ky++) {
              const oy = iy * strides[0] - padBegin[0] + ky * dil[0];
              if (oy < 0 || oy >= OH) continue;
              for (let kx = 0; kx < kW; kx++) {
                const ox = ix * strides[1] - padBegin[1] + kx * dil[1];
                if (ox < 0 || ox >= OW) continue;
                acc[oBase + oy * OW + ox] += v * wd[wBase + ky * kW + kx];
              }
            }
          }
        }
      }
    }
  }
  const out = new Float32Array(acc.length);
  const bd = bias ? (bias.data as Float32Array) : undefined;
  if (bias && (bias.dtype !== 'float32' || bias.size !== m)) throw new ShapeError(`ConvTranspose: B must be float32 [${m}], got ${bias.dtype} ${formatShape(bias.shape)}`);
  for (let i = 0; i < acc.length; i++) out[i] = bd ? acc[i] + bd[Math.floor(i / (OH * OW)) % m] : acc[i];
  return Tensor.from('float32', one ? [n, m, OW] : [n, m, OH, OW], out);
}

/** ConvTranspose attributes. */
export interface ConvTransposeAttributes {
  readonly autoPad: string;
  readonly group: number;
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly outputPadding?: readonly number[];
  readonly outputShape?: readonly number[];
}

/**
 * Input 1 of a MatMul/Gemm node as pack-once weights when it is a 2-D float32 initializer: backends with
 * `packGemmWeights` (WASM) then pack it at the first run instead of copying and packing it on every run.
 */
function constantGemmWeights(ctx: OpBuildContext): GemmWeights | undefined {
  const b = ctx.constant(1);
  return b && b.dtype === 'float32' && b.rank === 2 ? prepareGemmWeights(b) : undefined;
}

/**
 * The output of MatMul(a, b) is checked against the tensor size limit before the kernel allocates it: `[n, 1] × [1, n]`
 * squares the size. Shapes that do not fit are left to the kernel, which reports them.
 */
function checkMatMulOutput(a: Tensor, b: Tensor): void {
  if (a.rank === 0 || b.rank === 0) return;
  const m = a.rank === 1 ? 1 : a.shape[a.rank - 2];
  const n = b.rank === 1 ? 1 : b.shape[b.rank - 1];
  let batch: readonly number[] = [];
  try {
    batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return;
  }
  checkOutputSize('float32', [...batch, m, n], 'MatMul output');
}

/** All float linear-algebra op definitions. */
export const linearOps: readonly OpDefinition[] = [
  onnxOp('MatMul', 1, (ctx) => {
    const opts = ctx.backend ? { backend: ctx.backend } : undefined;
    const weights = constantGemmWeights(ctx);
    if (weights) return (inputs) => [matMul(need(inputs, 0, 'A'), weights, opts)];
    return (inputs) => {
      const a = need(inputs, 0, 'A');
      const b = need(inputs, 1, 'B');
      if (a.dtype === 'float64') return [matMulF64(a, b)];
      checkMatMulOutput(a, b);
      const dims = sameBatchMatMul(a, b, 3);
      if (dims) {
        // Attention heads (same batch dims on both sides): one batched backend call instead of one GEMM per head.
        const { batch, m, k, n } = dims;
        const out = allocateF32(batch * m * n);
        gemmF32Batched({ batch, m, n, k, a: a.data as Float32Array, b: b.data as Float32Array, out }, opts);
        return [Tensor.from('float32', dims.shape, out)];
      }
      return [matMul(a, b, opts)];
    };
  }, matMulInfer),
  onnxOp(
    'Gemm',
    1,
    (ctx) => {
      const options = {
        alpha: ctx.attrs.float('alpha', 1),
        beta: ctx.attrs.float('beta', 1),
        transA: ctx.attrs.int('transA', 0) === 1,
        transB: ctx.attrs.int('transB', 0) === 1,
        ...(ctx.backend ? { backend: ctx.backend } : {}),
      };
      const weights = constantGemmWeights(ctx);
      return (inputs) => [gemm(need(inputs, 0, 'A'), weights ?? need(inputs, 1, 'B'), inputs[2], options)];
    },
    (ctx, inputs) => {
      const [a, b] = inputs;
      const ta = ctx.attrs.int('transA', 0) === 1;
      const tb = ctx.attrs.int('transB', 0) === 1;
      return [{ dtype: a?.dtype, shape: [a?.shape?.[ta ? 1 : 0], b?.shape?.[tb ? 0 : 1]] }];
    },
  ),
  onnxOp(
    'Conv',
    1,
    (ctx) => {
      // Relu, a following BatchNormalization and MaxPool, set only by the executor's load-time fusions (never by
      // exporters): the conv kernels apply them while the output is still in their memory.
      const epilogue = readConvEpilogue(ctx.attrs, ctx.constant(1)?.shape[0]);
      const options = {
        ...convAttributes(ctx),
        // The output comes from the session's buffer pool: every element is written.
        allocate: allocateF32,
        ...convEpilogueOptions(epilogue),
        ...(ctx.backend ? { backend: ctx.backend } : {}),
      };
      return (inputs) => [conv(need(inputs, 0, 'X'), need(inputs, 1, 'W'), asBiasVector(inputs[2]), options)];
    },
    convInfer(0, 1),
  ),
  onnxOp(
    'ConvTranspose',
    1,
    (ctx) => {
      const a = ctx.attrs;
      const kernel = a.ints('kernel_shape');
      if (kernel && kernel.length > 2) throw new UnsupportedVariant(`${kernel.length}-D ConvTranspose is not supported (1-D and 2-D are)`);
      const attrs: ConvTransposeAttributes = {
        autoPad: a.string('auto_pad', 'NOTSET'),
        group: a.int('group', 1),
        strides: a.ints('strides'),
        dilations: a.ints('dilations'),
        pads: a.ints('pads'),
        outputPadding: a.ints('output_padding'),
        outputShape: a.ints('output_shape'),
      };
      return (inputs) => [convTranspose(need(inputs, 0, 'X'), need(inputs, 1, 'W'), inputs[2], attrs)];
    },
    (_ctx, inputs) => [{ dtype: inputs[0]?.dtype }],
  ),
];
