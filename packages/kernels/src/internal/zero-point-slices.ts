// Zero points of MatMulInteger / QLinearMatMul: per tensor, per row of A / per column of B, optionally per batch.
import { formatShape, ShapeError, type DType, type Tensor } from '@qint/tensor';
import { batchIndexer, type MatMulPlan } from './mat-mul-plan';
import { readZeroPoints } from './validate';

/**
 * Resolves a zero-point (or scale) tensor of a batched matmul operand into per-batch slices of length 1 or `len`.
 * Accepted shapes: one element (per tensor), `[len]`, or `[..., len, 1]` (rows of A) / `[..., 1, len]` (columns
 * of B) whose leading dims broadcast to the output batch.
 */
export function sliceParams(
  op: string,
  name: string,
  t: Tensor,
  values: Int32Array | Float32Array,
  plan: MatMulPlan,
  side: 'row' | 'col',
): (batchIndex: number) => Int32Array | Float32Array {
  if (t.size === 1) return () => values;
  const len = side === 'row' ? plan.m : plan.n;
  const what = side === 'row' ? `per row of A (M = ${plan.m})` : `per column of B (N = ${plan.n})`;
  if (t.rank === 1 && t.shape[0] === len) return () => values;
  const tail = side === 'row' ? [len, 1] : [1, len];
  const ok = t.rank >= 2 && t.shape[t.rank - 2] === tail[0] && t.shape[t.rank - 1] === tail[1];
  const own = t.shape.slice(0, -2);
  if (ok && own.length <= plan.batchShape.length && broadcastsTo(own, plan.batchShape)) {
    const index = batchIndexer(own, plan.batchShape);
    return (i) => {
      const at = index(i) * len;
      return values.subarray(at, at + len);
    };
  }
  throw new ShapeError(
    `${op}: input "${name}" has shape ${formatShape(t.shape)}; expected one element (per tensor), [${len}] ${what}, or [..., ${tail.join(', ')}] matching the batch dims ${formatShape(plan.batchShape)}`,
  );
}

/** Whether `own` broadcasts to `target` (right-aligned, each dim equal or 1). */
function broadcastsTo(own: readonly number[], target: readonly number[]): boolean {
  const off = target.length - own.length;
  return own.every((d, i) => d === 1 || d === target[off + i]);
}

/** Reads zero points (same dtype as the operand) and slices them per batch. */
export function zeroPointSlices(
  op: string,
  name: string,
  t: Tensor | undefined,
  dtype: DType,
  plan: MatMulPlan,
  side: 'row' | 'col',
): { values: Int32Array; at: (batchIndex: number) => Int32Array } {
  if (t === undefined || t === null) {
    const zero = new Int32Array(1);
    return { values: zero, at: () => zero };
  }
  const values = readZeroPoints(op, name, t, dtype);
  return { values, at: sliceParams(op, name, t, values, plan, side) as (i: number) => Int32Array };
}
