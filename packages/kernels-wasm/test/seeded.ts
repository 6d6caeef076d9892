// Seeded test data shared by the test files: one xorshift32 stream, so cases are reproducible and stay small in
// fast-check's shrink output.

/** Uniform values in [0, 1) from a xorshift32 stream (seed 0 counts as 1). */
export function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** `len` float32 values uniform in ± spread / 2. */
export function floats(len: number, seed: number, spread: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: len }, () => (r() - 0.5) * spread);
}

/** `len` bytes: the low 8 bits of the same stream. */
export function bytes(len: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: len }, () => (r() * 4294967296) & 255);
}
