// The Mersenne Twister MT19937 as NumPy's legacy `np.random.RandomState(seed)` / `np.random.seed(seed)` runs it, so a
// seeded random op reproduces the ONNX reference implementation (which draws from NumPy) value for value.

const N = 624;
const M = 397;

/**
 * A seeded MT19937 stream with NumPy's legacy draws: `random_sample` (53-bit doubles) and the polar-method Gaussian.
 *
 * @example
 * ```ts
 * const rng = new Mt19937(0);
 * rng.nextDouble(); // 0.5488135039273248, as np.random.seed(0); np.random.rand()
 * ```
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private index = N;
  private spareGauss: number | undefined;

  /** @param seed - an integer in [0, 2³²), as NumPy requires (init_genrand) */
  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 · prev + i mod 2³², split to stay exact in doubles.
      mt[i] = ((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i;
    }
  }

  /** The next 32-bit output (genrand_int32). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1) from two outputs, as NumPy's `random_sample` (genrand_res53). */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A standard normal value, as NumPy's legacy `standard_normal` (polar method; the second value is kept for the next call). */
  nextGaussian(): number {
    if (this.spareGauss !== undefined) {
      const g = this.spareGauss;
      this.spareGauss = undefined;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.spareGauss = f * x1;
    return f * x2;
  }
}
