// ai.qint::DynamicConv — dynamic quantization of a convolution: DynamicQuantizeLinear → ConvInteger → scale (+ bias) fused.
import { convInteger, dynamicConv, dynamicQuantizeLinear, maxDynamicConvK } from '@qint/kernels';
import { DTypeError, ShapeError, Tensor, formatShape } from '@qint/tensor';
import { GraphError } from '../../graph-error';
import { convAttributes } from '../linear-ops';
import { pool2d } from '../pool-ops';
import type { OpDefinition, ShapeInferrer } from '../op-definition';
import { QINT_DOMAIN } from './qint-domain';
import { allocateF32 } from '../../buffer-pool';
import { applyConvEpilogue, convEpilogueOptions, readConvEpilogue } from '../../conv-epilogue';
import { constantInput } from './constant-input';
import { dynamicConvWeight, dynamicConvWeightShape } from './dynamic-conv-weight';

const infer: ShapeInferrer = (ctx, inputs) => {
  const x = inputs[0];
  const w = inputs[1];
  // Spatial sizes are left to evaluation; batch and channels are known.
  if (!x?.shape || !w?.shape) return [{ dtype: 'float32' }];
  const channels = dynamicConvWeightShape(ctx.node, { shape: w.shape.map((d) => (typeof d === 'number' ? d : -1)) })[0];
  return [{ dtype: 'float32', shape: [x.shape[0], channels, ...x.shape.slice(2).map(() => undefined)] }];
};

/**
 * `ai.qint::DynamicConv` (since version 1): the ONNX dynamic conv pattern `DynamicQuantizeLinear(X) → ConvInteger →
 * Cast → Mul(x_scale · w_scale) → Add(bias)` as one node, so the executor keeps no intermediate int32/float copies
 * and the float arithmetic is exactly the pattern's: `y = float(acc) · fround(x_scale · w_scale[m]) + bias[m]`.
 *
 * Inputs: `X` float32 `[N, C, …]`; `W` int8 `[M, C/group, k…]` (int4/int2 storage, or a 3-bit uint8 stream with a
 * `weight_shape` attribute, is widened once at load);
 * `w_scale` float32 `[M]` or one element; optional `w_zero_point` (same layout, W's dtype or int8); optional float32
 * bias `B` `[M]`. Attributes: those of ONNX Conv (`auto_pad`, `dilations`, `group`, `kernel_shape`, `pads`, `strides`).
 *
 * @example
 * ```ts
 * const registry = new OpRegistry().register(dynamicConvOp);
 * ```
 */
export const dynamicConvOp: OpDefinition = {
  domain: QINT_DOMAIN,
  opType: 'DynamicConv',
  sinceVersion: 1,
  build(ctx) {
    const attrs = convAttributes(ctx);
    let w = constantInput(ctx, 1, 'W', false)!;
    const ws = constantInput(ctx, 2, 'w_scale', false)!;
    const wzp = constantInput(ctx, 3, 'w_zero_point', true);
    // Optional, and may be a feed-overridable initializer once the executor fused a bias Add here: no constant required.
    const b = ctx.node.inputs[4] ? ctx.constant(4) : undefined;
    w = dynamicConvWeight(ctx.node, w);
    const m = w.shape[0];
    if (ws.dtype !== 'float32') throw new DTypeError(`${ctx.label}: "w_scale" must be float32, got ${ws.dtype}`);
    if (ws.size !== 1 && ws.size !== m) throw new ShapeError(`${ctx.label}: "w_scale" has ${ws.size} elements; expected 1 or M = ${m}`);
    const scales = ws.size === 1 ? new Float32Array(m).fill((ws.data as Float32Array)[0]) : Float32Array.from(ws.data as Float32Array);
    for (let i = 0; i < m; i++) {
      if (!(scales[i] > 0) || scales[i] === Infinity) throw new GraphError(`${ctx.label}: "w_scale"[${i}] = ${scales[i]} must be finite and > 0`, { node: ctx.node.name });
    }
    let zp: Tensor | undefined;
    if (wzp) {
      if (wzp.size !== 1 && wzp.size !== m) throw new ShapeError(`${ctx.label}: "w_zero_point" has ${wzp.size} elements; expected 1 or M = ${m}`);
      zp = Tensor.from('int8', [wzp.size], Int8Array.from(wzp.values()));
    }
    const readBias = (t: Tensor): Float32Array => {
      // [M], or [M,1,1]/[1,M,1,1] when the executor fused a following bias Add into this node.
      if (t.dtype !== 'float32' || t.size !== m) throw new ShapeError(`${ctx.label}: bias "B" must be float32 with ${m} values, got ${t.dtype} ${formatShape(t.shape)}`);
      return t.data as Float32Array;
    };
    const constantBias = b ? readBias(b) : undefined;
    // A bias that is not a constant (an initializer a feed may override) is read at each run.
    const runtimeBias = !b && (ctx.node.inputs[4] ?? '') !== '';
    const weight = w;
    const options = { ...attrs, ...(ctx.backend ? { backend: ctx.backend } : {}) };
    // A following Relu (and BatchNormalization after it) fused at load by the executor (fuse-conv-bias-activation.ts).
    const epilogue = readConvEpilogue(ctx.attrs, m);
    const zeroPoints = zp ? Int32Array.from(zp.data as Int8Array) : undefined;
    // One backend call (quantize, integer conv, scale, bias, epilogue in WASM memory) unless K is beyond the bound that
    // holds for every activation zero point; then the steps below, whose bound uses the actual one.
    const k = weight.size / m;
    if (k <= maxDynamicConvK(weight.dtype as 'int8' | 'uint8', zeroPoints)) {
      const fused = { ...options, allocate: allocateF32, ...convEpilogueOptions(epilogue) };
      return (inputs) => {
        const bias = constantBias ?? (runtimeBias && inputs[4] ? readBias(inputs[4]) : undefined);
        return [dynamicConv(inputs[0]!, weight, scales, zeroPoints, bias, fused)];
      };
    }
    return (inputs) => {
      const x = inputs[0];
      const bias = constantBias ?? (runtimeBias && inputs[4] ? readBias(inputs[4]) : undefined);
      const [xq, xs, xzp] = dynamicQuantizeLinear(x!);
      const acc = convInteger(xq, weight, xzp, zp, options);
      const a = acc.data as Int32Array;
      // Every element is written: a recycled buffer of the session's pool will do.
      const out = allocateF32(a.length);
      const xScale = (xs.data as Float32Array)[0];
      const spatial = acc.size / (acc.shape[0] * m || 1);
      for (let c = 0; c < m; c++) {
        const s = Math.fround(xScale * scales[c]);
        const bc = bias ? bias[c] : 0;
        for (let nIdx = 0; nIdx < acc.shape[0]; nIdx++) {
          const base = (nIdx * m + c) * spatial;
          if (bias) for (let i = base; i < base + spatial; i++) out[i] = Math.fround(Math.fround(a[i] * s) + bc);
          else for (let i = base; i < base + spatial; i++) out[i] = Math.fround(a[i] * s);
        }
      }
      if (epilogue) applyConvEpilogue(out, epilogue, m, spatial);
      const y = Tensor.from('float32', acc.shape, out);
      const pool = epilogue?.pool;
      return pool ? pool2d(y, 'max', { kernel: [pool[0], pool[1]], strides: [pool[2], pool[3]], autoPad: 'NOTSET', ceilMode: false, countIncludePad: false }) : [y];
    };
  },
  infer,
};
