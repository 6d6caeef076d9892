import { dtypeInfo, formatShape, ShapeError, Tensor } from '@qint/tensor';
import { integerConv, type ConvIntegerOptions } from './conv-integer';
import { readOutputZeroPoint, readScales, requireDType } from './internal/validate';
import { requantizeMultiplier, requantizeValue } from './requantize';

const OP = 'qlinearConv';

/** Attributes of {@link qlinearConv} (ONNX QLinearConv): the Conv attributes plus `{ backend }`. */
export type QLinearConvOptions = ConvIntegerOptions;

/**
 * ONNX QLinearConv: the ConvInteger accumulator plus the int32 bias, requantized:
 * `y = saturate(roundHalfToEven((acc + B[m]) · x_scale · w_scale[m] / y_scale) + y_zero_point)`. The multiplier is
 * computed in float32 per output channel, the product in float64 (ONNX's reference). Per-channel `w_scale` and
 * `w_zero_point` (`[M]`), groups incl. depthwise, pads / auto_pad, strides, dilations; 1-D or 2-D.
 *
 * @param x - uint8 or int8 input `[N, C, H, W]` or `[N, C, L]`
 * @param xScale - one float32/float16 scale
 * @param xZeroPoint - one element of `x`'s dtype (optional)
 * @param w - uint8 or int8 weights `[M, C/group, kH, kW]`
 * @param wScale - one element or `[M]`
 * @param wZeroPoint - one element or `[M]` of `w`'s dtype (optional)
 * @param yScale - one element
 * @param yZeroPoint - one element, uint8 or int8 (optional; the output dtype, else `x`'s)
 * @param bias - optional int32 `[M]`
 * @param options - {@link QLinearConvOptions}
 * @returns the quantized output
 * @throws {@link DTypeError} / {@link ShapeError} / {@link ValueError} naming the ONNX input at fault
 * @example
 * ```ts
 * qlinearConv(x, xs, xz, w, ws, wz, ys, yz, undefined, { pads: [1, 1, 1, 1], group: 32 });
 * ```
 */
export function qlinearConv(
  x: Tensor,
  xScale: Tensor,
  xZeroPoint: Tensor | undefined,
  w: Tensor,
  wScale: Tensor,
  wZeroPoint: Tensor | undefined,
  yScale: Tensor,
  yZeroPoint: Tensor | undefined,
  bias?: Tensor,
  options: QLinearConvOptions = {},
): Tensor {
  const { plan, acc } = integerConv(OP, x, w, xZeroPoint, wZeroPoint, options);
  const m = plan.geometry.outChannels;
  const xs = readScales(OP, 'x_scale', xScale);
  const ws = readScales(OP, 'w_scale', wScale);
  const ys = readScales(OP, 'y_scale', yScale);
  if (xs.length !== 1) throw new ShapeError(`${OP}: input "x_scale" has shape ${formatShape(xScale.shape)}; expected one element`);
  if (ys.length !== 1) throw new ShapeError(`${OP}: input "y_scale" has shape ${formatShape(yScale.shape)}; expected one element`);
  if (ws.length !== 1 && !(wScale.rank === 1 && ws.length === m)) {
    throw new ShapeError(`${OP}: input "w_scale" has shape ${formatShape(wScale.shape)}; expected one element or [${m}] (per output channel)`);
  }
  if (wZeroPoint && wZeroPoint.size !== 1 && wZeroPoint.size !== ws.length) {
    throw new ShapeError(`${OP}: input "w_zero_point" has ${wZeroPoint.size} elements but "w_scale" has ${ws.length}`);
  }
  const { dtype: outDtype, zeroPoint: yz } = readOutputZeroPoint(OP, yZeroPoint, x.dtype as 'uint8' | 'int8');
  let b: Int32Array | undefined;
  if (bias !== undefined && bias !== null) {
    requireDType(OP, 'B', bias, ['int32'] as const);
    if (bias.rank !== 1 || bias.shape[0] !== m) throw new ShapeError(`${OP}: input "B" has shape ${formatShape(bias.shape)}; expected [${m}]`);
    b = bias.data as Int32Array;
  }
  const { min, max } = dtypeInfo(outDtype);
  const out = outDtype === 'uint8' ? new Uint8Array(acc.length) : new Int8Array(acc.length);
  const plane = acc.length / Math.max(1, plan.geometry.batch * m);
  for (let oc = 0; oc < m; oc++) {
    const mult = requantizeMultiplier(xs[0], ws.length === 1 ? ws[0] : ws[oc], ys[0]);
    const add = b ? b[oc] : 0;
    for (let nIdx = 0; nIdx < plan.geometry.batch; nIdx++) {
      const base = (nIdx * m + oc) * plane;
      for (let i = 0; i < plane; i++) out[base + i] = requantizeValue(acc[base + i] + add, mult, yz, min, max);
    }
  }
  return Tensor.from(outDtype, plan.outShape, out);
}
