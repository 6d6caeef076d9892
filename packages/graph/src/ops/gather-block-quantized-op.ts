// com.microsoft GatherBlockQuantized: Gather on block-quantized data (quantized embedding tables), dequantizing only
// the gathered elements: `y = (q − zero_point) · scale`, one scale (and zero point) per `block_size` elements along
// `quantize_axis`. Data is uint8 (bits 8, or bits 4 packed two per byte, low nibble first, along the last axis),
// or int4 / uint4.
import { DTypeError, ShapeError, type Tensor } from '@qint/tensor';
import type { Dim } from '../ir';
import { msOp } from './define-op';
import type { InferredValue, OpBuildContext, OpDefinition } from './op-definition';
import { fromFloats, need, prod, readFloats, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

interface GbqAttrs {
  readonly gatherAxis: number;
  readonly quantizeAxis: number;
  readonly blockSize: number;
  readonly bits: number;
}

/** Reads element `i` of (possibly packed) quantized data as an integer. */
function reader(t: Tensor, bits: number): (i: number) => number {
  const d = t.data as Uint8Array | Int8Array;
  if (t.dtype === 'uint8' && bits === 8) return (i) => d[i];
  if (t.dtype === 'uint8' || t.dtype === 'uint4') return (i) => ((d[i >> 1] as number) >> ((i & 1) * 4)) & 15;
  if (t.dtype === 'int4') return (i) => { const v = ((d[i >> 1] as number) >> ((i & 1) * 4)) & 15; return v >= 8 ? v - 16 : v; };
  throw new DTypeError(`data must be uint8, uint4 or int4, got ${t.dtype}`);
}

/** The unpacked shape of the data (uint8 with bits 4 holds two values per byte of its last dim). */
function logicalShape(t: Tensor, bits: number): number[] {
  const s = t.shape.slice();
  if (t.dtype === 'uint8' && bits === 4) s[s.length - 1] *= 2;
  return s;
}

function gatherBlockQuantized(inputs: readonly (Tensor | undefined)[], a: GbqAttrs): Tensor {
  const data = need(inputs, 0, 'data');
  const indices = need(inputs, 1, 'indices');
  const scales = need(inputs, 2, 'scales');
  const zps = inputs[3];
  const shape = logicalShape(data, a.bits);
  const r = shape.length;
  const g = a.gatherAxis < 0 ? a.gatherAxis + r : a.gatherAxis;
  const qa = a.quantizeAxis < 0 ? a.quantizeAxis + r : a.quantizeAxis;
  if (g < 0 || g >= r || qa < 0 || qa >= r) throw new ShapeError(`gather_axis ${a.gatherAxis} / quantize_axis ${a.quantizeAxis} out of range for rank ${r}`);
  if (data.dtype === 'uint8' && a.bits === 4 && qa !== r - 1) throw new ShapeError('packed uint8 data must be quantized along its last axis');
  const nb = Math.ceil(shape[qa] / a.blockSize);
  const sShape = shape.slice();
  sShape[qa] = nb;
  if (scales.shape.join() !== sShape.join()) throw new ShapeError(`scales [${scales.shape.join(', ')}] must be [${sShape.join(', ')}]`);
  if (scales.dtype !== 'float32' && scales.dtype !== 'float16') throw new DTypeError(`scales must be float32 or float16, got ${scales.dtype}`);
  const sd = readFloats(scales);
  const q = reader(data, a.bits);
  let zp: (i: number) => number;
  if (zps) {
    if (zps.dtype !== data.dtype) throw new DTypeError(`zero_points must have data's type ${data.dtype}, got ${zps.dtype}`);
    const zs = logicalShape(zps, a.bits);
    if (zs.join() !== sShape.join() && !(data.dtype === 'uint8' && a.bits === 4 && zs.slice(0, -1).join() === sShape.slice(0, -1).join() && zs[r - 1] === 2 * Math.ceil(nb / 2))) {
      throw new ShapeError(`zero_points [${zps.shape.join(', ')}] do not match scales [${sShape.join(', ')}]`);
    }
    const zr = reader(zps, a.bits);
    const rowPad = zs[r - 1];
    // Packed zero points are padded to whole bytes per row; index them by their own (padded) row length.
    zp = rowPad === nb || qa !== r - 1 ? zr : (i) => zr(Math.floor(i / nb) * rowPad + (i % nb));
  } else {
    const dflt = data.dtype === 'int4' ? 0 : 1 << (a.bits - 1);
    zp = () => dflt;
  }
  const idx = readInts(indices, 'indices');
  const dg = shape[g];
  const outer = prod(shape, 0, g);
  const inner = prod(shape, g + 1);
  const strideQa = prod(shape, qa + 1);
  const dq = shape[qa];
  const out = new Float32Array(outer * idx.length * inner);
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (let t = 0; t < idx.length; t++) {
      let id = idx[t];
      if (id < 0) id += dg;
      if (id < 0 || id >= dg) throw new ShapeError(`index ${idx[t]} is out of range for gather_axis dim ${dg}`);
      const base = (p * dg + id) * inner;
      for (let i = 0; i < inner; i++) {
        const fl = base + i;
        const lo = fl % strideQa;
        const c = Math.floor(fl / strideQa) % dq;
        const hi = Math.floor(fl / (strideQa * dq));
        const si = (hi * nb + Math.floor(c / a.blockSize)) * strideQa + lo;
        out[o++] = (q(fl) - zp(si)) * sd[si];
      }
    }
  }
  const outShape = [...shape.slice(0, g), ...indices.shape, ...shape.slice(g + 1)];
  return fromFloats(scales.dtype, outShape, out);
}

function attrs(ctx: OpBuildContext): GbqAttrs {
  const at = ctx.attrs;
  const bits = at.int('bits', 4);
  const blockSize = at.int('block_size', 128);
  if (bits !== 4 && bits !== 8) throw new UnsupportedVariant(`bits = ${bits} is not supported (4 and 8 are)`);
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) at.fail(`block_size must be a power of two ≥ 16, got ${blockSize}`);
  return { gatherAxis: at.int('gather_axis', 0), quantizeAxis: at.int('quantize_axis', 1), blockSize, bits };
}

function infer(ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): InferredValue[] {
  const [data, indices, scales] = inputs;
  const dtype = scales?.dtype;
  if (!data?.shape || !indices?.shape) return [{ dtype }];
  const s: Dim[] = data.shape.slice();
  const bits = ctx.attrs.int('bits', 4);
  const last = s[s.length - 1];
  if (data.dtype === 'uint8' && bits === 4) s[s.length - 1] = typeof last === 'number' ? last * 2 : last;
  let g = ctx.attrs.int('gather_axis', 0);
  if (g < 0) g += s.length;
  if (typeof last !== 'number' && data.dtype === 'uint8' && bits === 4) return [{ dtype }];
  return [{ dtype, shape: [...s.slice(0, g), ...indices.shape, ...s.slice(g + 1)] }];
}

/** GatherBlockQuantized. */
export const gatherBlockQuantizedOps: readonly OpDefinition[] = [
  msOp('GatherBlockQuantized', 1, (ctx) => {
    const a = attrs(ctx);
    return (inputs) => [gatherBlockQuantized(inputs, a)];
  }, infer),
];
