// How scales / zero points map onto the elements of a quantized tensor (QuantizeLinear / DequantizeLinear layout).
import { formatShape, normalizeAxis, ShapeError, ValueError, type Tensor } from '@qint/tensor';

/**
 * The tensor seen as `[outer, dim, inner]` around the quantized axis; the parameter of element `(o, d, i)` is
 * `0` (per tensor), `d` (per axis) or `(o · blocks + floor(d / blockSize)) · inner + i` (blocked).
 */
export interface QuantLayout {
  mode: 'per-tensor' | 'per-axis' | 'blocked';
  outer: number;
  dim: number;
  inner: number;
  blockSize: number;
  blocks: number;
}

/** Resolves and checks the layout of `scale` for `x` (ONNX QuantizeLinear/DequantizeLinear rules). */
export function quantLayout(op: string, x: Tensor, scale: Tensor, scaleName: string, axisAttr: number, blockSize: number): QuantLayout {
  if (!Number.isInteger(blockSize) || blockSize < 0) {
    throw new ValueError(`${op}: attribute "block_size" must be an integer ≥ 0, got ${blockSize}`);
  }
  if (blockSize === 0 && scale.size === 1 && scale.rank <= 1) {
    return { mode: 'per-tensor', outer: 1, dim: x.size, inner: 1, blockSize: 0, blocks: 1 };
  }
  if (x.rank === 0) {
    throw new ShapeError(`${op}: input "${scaleName}" has shape ${formatShape(scale.shape)}; a scalar input needs a scalar scale`);
  }
  const axis = normalizeAxis(axisAttr, x.rank, `${op}: attribute "axis"`);
  const dim = x.shape[axis];
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= x.shape[i];
  let inner = 1;
  for (let i = axis + 1; i < x.rank; i++) inner *= x.shape[i];
  if (blockSize === 0) {
    if (scale.rank !== 1 || scale.shape[0] !== dim) {
      throw new ShapeError(
        `${op}: input "${scaleName}" has shape ${formatShape(scale.shape)}; per-axis quantization along axis ${axis} of ${formatShape(x.shape)} needs [${dim}] (or a scalar for per tensor)`,
      );
    }
    return { mode: 'per-axis', outer, dim, inner, blockSize: 0, blocks: dim };
  }
  const blocks = Math.ceil(dim / blockSize);
  const expected = x.shape.slice();
  expected[axis] = blocks;
  if (scale.rank !== x.rank || scale.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${op}: input "${scaleName}" has shape ${formatShape(scale.shape)}; blocked quantization (block_size ${blockSize}, axis ${axis}) of ${formatShape(x.shape)} needs ${formatShape(expected)}`,
    );
  }
  return { mode: 'blocked', outer, dim, inner, blockSize, blocks };
}

/** Calls `body(start, end, param)` for every run of consecutive elements sharing one parameter index. */
export function forEachParamRun(layout: QuantLayout, body: (start: number, end: number, param: number) => void): void {
  const { mode, outer, dim, inner, blockSize, blocks } = layout;
  if (mode === 'per-tensor') {
    body(0, dim, 0);
    return;
  }
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (let d = 0; d < dim; d++) {
      if (inner === 1) {
        body(at, at + 1, mode === 'per-axis' ? d : o * blocks + Math.floor(d / blockSize));
        at++;
      } else if (mode === 'per-axis') {
        // Same parameter for the whole inner run.
        body(at, at + inner, d);
        at += inner;
      } else {
        const base = (o * blocks + Math.floor(d / blockSize)) * inner;
        for (let i = 0; i < inner; i++) body(at + i, at + i + 1, base + i);
        at += inner;
      }
    }
  }
}
