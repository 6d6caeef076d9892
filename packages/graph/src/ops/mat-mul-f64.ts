// MatMul in double precision (numpy semantics: 1-D operands promoted and the added dim removed, batch dims
// broadcast). Plain loops: float64 models are small (the ONNX suite, scientific graphs), and nothing here may round to
// float32.
import { DTypeError, ShapeError, Tensor, broadcastShapes, computeStrides, formatShape } from '@qint/tensor';

/**
 * `A × B` for float64 tensors, accumulated in double.
 *
 * @param a - float64, rank ≥ 1
 * @param b - float64, rank ≥ 1
 * @returns the float64 product
 * @throws {@link DTypeError} when an operand is not float64
 * @throws {@link ShapeError} when the inner dims differ or the batch dims do not broadcast
 * @example
 * ```ts
 * matMulF64(Tensor.from('float64', [1, 2], [1, 2]), Tensor.from('float64', [2, 1], [3, 4])).toArray(); // [11]
 * ```
 */
export function matMulF64(a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== 'float64' || b.dtype !== 'float64') throw new DTypeError(`MatMul: float64 path needs float64 A and B, got ${a.dtype} and ${b.dtype}`);
  if (a.rank === 0 || b.rank === 0) throw new ShapeError('MatMul: inputs must have rank ≥ 1');
  const aShape = a.rank === 1 ? [1, a.shape[0]] : a.shape.slice();
  const bShape = b.rank === 1 ? [b.shape[0], 1] : b.shape.slice();
  const m = aShape[aShape.length - 2];
  const k = aShape[aShape.length - 1];
  const n = bShape[bShape.length - 1];
  if (bShape[bShape.length - 2] !== k) throw new ShapeError(`MatMul: A ${formatShape(a.shape)} and B ${formatShape(b.shape)} have different inner dims`);
  const batchShape = broadcastShapes(aShape.slice(0, -2), bShape.slice(0, -2));
  const batch = batchShape.reduce((p, d) => p * d, 1);
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const aOffset = batchOffsets(aBatch, batchShape, m * k);
  const bOffset = batchOffsets(bBatch, batchShape, k * n);
  const ad = a.data as Float64Array;
  const bd = b.data as Float64Array;
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const ao = aOffset(t);
    const bo = bOffset(t);
    const oo = t * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += ad[ao + i * k + p] * bd[bo + p * n + j];
        out[oo + i * n + j] = acc;
      }
    }
  }
  const shape = [...batchShape, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])];
  return Tensor.from('float64', shape, out);
}

/** The element offset of each output batch's matrix in an operand whose batch dims broadcast to `full`. */
function batchOffsets(own: readonly number[], full: readonly number[], matrix: number): (t: number) => number {
  const lead = full.length - own.length;
  const strides = computeStrides(own);
  const fullStrides = computeStrides(full);
  return (t) => {
    let offset = 0;
    for (let d = 0; d < full.length; d++) {
      const c = Math.floor(t / fullStrides[d]) % full[d];
      if (d >= lead && own[d - lead] !== 1) offset += c * strides[d - lead];
    }
    return offset * matrix;
  };
}
