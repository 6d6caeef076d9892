// The float32 MaxPool loop without Indices, split out of pool2d: CNNs pool every conv output, and the generic loop
// (any dtype through an index signature, a branch per kind, an Indices check per element) ran at ~4 ns per input
// element, as long as the conv before it. Same result bits: max is exact, and the order of comparisons is the same
// (the first valid tap, then each later tap that is strictly greater or NaN: a NaN anywhere in the window gives NaN,
// as in onnxruntime).

/** Valid kernel taps per output row or column: `[start, end)` of the tap index. */
export interface PoolTaps {
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/** A 2-D pooling window resolved for one input size (a 1-D pool has height 1). */
export interface MaxPoolF32Geometry {
  /** Batch × channels. */
  readonly planes: number;
  readonly h: number;
  readonly w: number;
  readonly oh: number;
  readonly ow: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly rows: PoolTaps;
  readonly cols: PoolTaps;
}

/**
 * MaxPool over float32 planes into `out` (`planes · oh · ow` values, every one written). A window with no valid tap
 * (only padding) gives −Infinity, as the generic loop does.
 *
 * @param src - `planes · h · w` values
 * @param out - written
 * @param g - the resolved window
 */
export function maxPoolF32(src: Float32Array, out: Float32Array, g: MaxPoolF32Geometry): void {
  const { planes, h, w, oh, ow } = g;
  // The pooling of nearly every CNN: 2×2, stride 2, no padding or dilation; every window whole.
  if (g.kh === 2 && g.kw === 2 && g.sh === 2 && g.sw === 2 && g.dh === 1 && g.dw === 1 && g.padTop === 0 && g.padLeft === 0 && 2 * oh <= h && 2 * ow <= w) {
    let o = 0;
    for (let p = 0; p < planes; p++) {
      for (let y = 0; y < oh; y++) {
        let r0 = p * h * w + 2 * y * w;
        let r1 = r0 + w;
        for (let x = 0; x < ow; x++, o++, r0 += 2, r1 += 2) {
          let best = src[r0];
          const b = src[r0 + 1];
          if (b > best || b !== b) best = b;
          const c = src[r1];
          if (c > best || c !== c) best = c;
          const d = src[r1 + 1];
          if (d > best || d !== d) best = d;
          out[o] = best;
        }
      }
    }
    return;
  }
  const { sh, sw, dh, dw, padTop, padLeft, rows, cols } = g;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let y = 0; y < oh; y++) {
      const y0 = y * sh - padTop;
      const kyS = rows.start[y];
      const kyE = rows.end[y];
      for (let x = 0; x < ow; x++, o++) {
        const x0 = x * sw - padLeft;
        const kxS = cols.start[x];
        const kxE = cols.end[x];
        let best = -Infinity;
        let first = true;
        for (let ky = kyS; ky < kyE; ky++) {
          const row = base + (y0 + ky * dh) * w + x0;
          for (let kx = kxS; kx < kxE; kx++) {
            const v = src[row + kx * dw];
            if (first || v > best || v !== v) {
              best = v;
              first = false;
            }
          }
        }
        out[o] = best;
      }
    }
  }
}
