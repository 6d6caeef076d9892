import { ValueError } from '@qint/tensor';

/**
 * Spearman's rank correlation coefficient: the Pearson correlation of the ranks, tied values sharing the average of
 * their ranks (as `scipy.stats.spearmanr` does). Use it to report how well predicted damage orders layers compared
 * with measured damage.
 *
 * @param xs - first sample
 * @param ys - second sample, same length
 * @returns ρ in [−1, 1]; `NaN` when either sample is constant (its ranks have no variance), as SciPy returns
 * @throws ValueError when the lengths differ, fewer than 2 pairs are given, or a value is NaN or infinite
 * @example
 * ```ts
 * spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]); // 0.8207826816681233
 * ```
 */
export function spearman(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  if (xs.length !== ys.length) throw new ValueError(`spearman: xs and ys must have the same length, got ${xs.length} and ${ys.length}`);
  if (xs.length < 2) throw new ValueError(`spearman: needs at least 2 pairs, got ${xs.length}`);
  const rx = averageRanks(xs, 'xs');
  const ry = averageRanks(ys, 'ys');
  const n = rx.length;
  const mean = (n + 1) / 2; // ranks 1..n always average (n + 1) / 2, ties included
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i] - mean;
    const dy = ry[i] - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** 1-based ranks; a run of equal values gets the mean of the ranks it spans. */
function averageRanks(values: ArrayLike<number>, name: string): Float64Array {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) throw new ValueError(`spearman: ${name}[${i}] must be a finite number, got ${String(values[i])}`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of start+1 .. end
    for (let i = start; i < end; i++) ranks[order[i]] = rank;
    start = end;
  }
  return ranks;
}
