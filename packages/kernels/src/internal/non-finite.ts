// Non-finite activations in the dynamically quantized kernels. DynamicQuantizeLinear's range ignores NaN and ±Infinity
// (one bad value must not wreck the scale of the others), but a float layer turns them into NaN (or ±Infinity)
// outputs: these helpers make the quantized layer's result NaN wherever the float one cannot be finite, so corrupt
// input never comes out as a plausible number. One branch-free pass (x · 0 is NaN exactly for NaN and ±Infinity).

/** True when `x[start, end)` holds NaN or ±Infinity. */
export function hasNonFinite(x: ArrayLike<number>, start: number, end: number): boolean {
  let s = 0;
  for (let i = start; i < end; i++) s += x[i] * 0;
  return s !== s;
}

/**
 * Sets the outputs of a dynamically quantized layer to NaN where its float input was not finite: with
 * `perRow`, row r of `out` (`n` values) when row r of `x` (`k` values) holds NaN or ±Infinity; else all of `out`
 * when any of `x` does (one activation scale for the whole tensor: every output depends on it).
 */
export function poisonNonFinite(x: ArrayLike<number>, m: number, k: number, perRow: boolean, out: Float32Array, n: number): void {
  if (!perRow) {
    if (hasNonFinite(x, 0, m * k)) out.fill(NaN, 0, m * n);
    return;
  }
  for (let r = 0; r < m; r++) if (hasNonFinite(x, r * k, r * k + k)) out.fill(NaN, r * n, r * n + n);
}
