// Building blocks of the per-op shape inference (symbolic dims are strings; undefined means unknown).
import type { DType } from '@qint/tensor';
import type { Dim } from '../ir';
import type { InferredValue, ShapeInferrer } from './op-definition';

/** Broadcasts possibly symbolic shapes; a pair it cannot decide becomes unknown. */
export function broadcastDims(...shapes: (readonly Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => s!.length));
  const out: Dim[] = new Array<Dim>(rank).fill(1);
  for (const s of shapes as (readonly Dim[])[]) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      const cur = out[o];
      if (cur === 1) out[o] = d;
      else if (d === 1 || d === cur) continue;
      // An unknown dim against a known one (≠ 1): either the unknown is 1 or the two are equal.
      else if (d === undefined) continue;
      else if (cur === undefined) out[o] = d;
      else if (typeof cur === 'number' && typeof d !== 'number') continue; // symbolic d must equal cur (or be 1)
      else if (typeof d === 'number' && typeof cur !== 'number') out[o] = d;
      else out[o] = undefined;
    }
  }
  return out;
}

/** Output 0 has input `i`'s dtype and shape. */
export function sameAs(i = 0): ShapeInferrer {
  return (_ctx, inputs) => [inputs[i] ? { dtype: inputs[i]!.dtype, shape: inputs[i]!.shape } : undefined];
}

/** Output 0 has input `i`'s shape and the given dtype. */
export function sameShapeAs(i: number, dtype: DType): ShapeInferrer {
  return (_ctx, inputs) => [{ dtype, shape: inputs[i]?.shape }];
}

/** Elementwise: broadcast shape of all inputs, dtype of input 0 (or `dtype`). */
export function broadcastInfer(dtype?: DType, first = 0): ShapeInferrer {
  return (_ctx, inputs) => {
    const present = inputs.slice(first).filter((v): v is InferredValue => v !== undefined);
    return [{ dtype: dtype ?? inputs[first]?.dtype, shape: broadcastDims(...present.map((v) => v.shape)) }];
  };
}

/** Whether every dim is a known number. */
export function isStatic(shape: readonly Dim[] | undefined): shape is readonly number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

/** Product of dims when all known, else undefined. */
export function dimProduct(shape: readonly Dim[]): number | undefined {
  let p = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return undefined;
    p *= d;
  }
  return p;
}
