import type { ConvPool } from '../kernel-backend';

/** Pooled plane size of a {@link ConvPool} over an `h × w` plane (floor mode, no padding). */
export function pooledSize(h: number, w: number, pool: ConvPool): [number, number] {
  return [Math.floor((h - pool[0]) / pool[2]) + 1, Math.floor((w - pool[1]) / pool[3]) + 1];
}

/** MaxPool of `planes` planes `h × w` from `src` into `out` (first tap, then taps strictly greater or NaN, row-major: a NaN makes the window NaN). */
export function maxPoolPlanesJs(src: Float32Array, planes: number, h: number, w: number, pool: ConvPool, out: Float32Array): void {
  const [kh, kw, sh, sw] = pool;
  const [oh, ow] = pooledSize(h, w, pool);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++, o++) {
        const r0 = base + y * sh * w + x * sw;
        let best = src[r0];
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = ky === 0 ? 1 : 0; kx < kw; kx++) {
            const v = src[r0 + ky * w + kx];
            if (v > best || v !== v) best = v;
          }
        }
        out[o] = best;
      }
    }
  }
}
