import type { StridedCopyF32Args } from '../kernel-backend';

/** Reference strided copy: the two innermost dims as plain loops, the rest with a carry counter. */
export function stridedCopyF32Js(args: StridedCopyF32Args): void {
  const { src, shape, strides, offset, out } = args;
  const rank = shape.length;
  if (rank === 0) {
    out[0] = src[offset];
    return;
  }
  let size = 1;
  for (const d of shape) size *= d;
  if (size === 0) return;
  const inner = shape[rank - 1];
  const is = strides[rank - 1];
  const mid = rank >= 2 ? shape[rank - 2] : 1;
  const ms = rank >= 2 ? strides[rank - 2] : 0;
  const outerRank = Math.max(rank - 2, 0);
  const coord = new Array<number>(outerRank).fill(0);
  let at = offset;
  let o = 0;
  for (let block = size / (inner * mid); block > 0; block--) {
    for (let r = 0, a = at; r < mid; r++, a += ms) {
      if (is === 1) for (let i = 0; i < inner; i++) out[o++] = src[a + i];
      else for (let i = 0, b = a; i < inner; i++, b += is) out[o++] = src[b];
    }
    for (let k = outerRank - 1; k >= 0; k--) {
      coord[k]++;
      at += strides[k];
      if (coord[k] < shape[k]) break;
      at -= strides[k] * shape[k];
      coord[k] = 0;
    }
  }
}
