// Shape resolution of numpy-style batched matmul (MatMul, MatMulInteger, QLinearMatMul).
import { broadcastIndex, broadcastShapes, broadcastStrides, formatShape, ShapeError, shapeSize, type Tensor } from '@qint/tensor';

/** How a batched matmul maps onto 2-D products. */
export interface MatMulPlan {
  m: number;
  k: number;
  n: number;
  /** Broadcast batch dims. */
  batchShape: number[];
  batch: number;
  /** Output shape (1-D operands' dims removed as numpy does). */
  outShape: number[];
  /** Matrix index into `a` / `b` for output batch `i`. */
  aIndex: (i: number) => number;
  bIndex: (i: number) => number;
}

/** Resolves shapes: `a` `[..., M, K]` (or `[K]`), `b` `[..., K, N]` (or `[K]`), batch dims broadcast. */
export function planMatMul(op: string, a: Tensor, b: Tensor, aName = 'A', bName = 'B'): MatMulPlan {
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError(`${op}: inputs "${aName}" ${formatShape(a.shape)} and "${bName}" ${formatShape(b.shape)} must have rank ≥ 1`);
  }
  const aShape = a.rank === 1 ? [1, a.shape[0]] : a.shape.slice();
  const bShape = b.rank === 1 ? [b.shape[0], 1] : b.shape.slice();
  const m = aShape[aShape.length - 2];
  const k = aShape[aShape.length - 1];
  const kb = bShape[bShape.length - 2];
  const n = bShape[bShape.length - 1];
  if (k !== kb) {
    throw new ShapeError(
      `${op}: inner dimensions do not agree: "${aName}" ${formatShape(a.shape)} has K = ${k} but "${bName}" ${formatShape(b.shape)} has K = ${kb}`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes(aBatch, bBatch);
  } catch (cause) {
    throw new ShapeError(
      `${op}: batch dimensions of "${aName}" ${formatShape(a.shape)} and "${bName}" ${formatShape(b.shape)} do not broadcast`,
      { cause },
    );
  }
  const batch = shapeSize(batchShape);
  const outShape = [...batchShape];
  if (a.rank > 1) outShape.push(m);
  if (b.rank > 1) outShape.push(n);
  return { m, k, n, batchShape, batch, outShape, aIndex: batchIndexer(aBatch, batchShape), bIndex: batchIndexer(bBatch, batchShape) };
}

/** Maps an output batch index to the matrix index of an operand whose batch dims broadcast to `outBatch`. */
export function batchIndexer(own: readonly number[], outBatch: readonly number[]): (i: number) => number {
  const size = shapeSize(own);
  const outSize = shapeSize(outBatch);
  if (size === outSize && own.length === outBatch.length) return (i) => i;
  if (size === 1) return () => 0;
  const strides = broadcastStrides(own, outBatch);
  return (i) => broadcastIndex(i, outBatch, strides);
}
