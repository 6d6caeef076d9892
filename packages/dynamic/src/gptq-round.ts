// GPTQ rounding (Frantar et al. 2022, "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained
// Transformers", Algorithm 1 without the lazy batching, which only reorders the same arithmetic): the inputs of each
// output row are quantized one at a time, and each rounding error is pushed onto the inputs not yet quantized through
// the upper Cholesky factor of the inverse Hessian, so later roundings compensate earlier ones for the layer's inputs.
import { QuantizeError } from './quantize-error';
import { quantizeValue, storedRange, type QuantizedWeight, type WeightQuantSettings } from './quantize-weight';

const f = Math.fround;

/** Options of {@link gptqRound}. */
export interface GptqRoundOptions {
  /** Damping λ as a share of the mean of the Hessian's diagonal (default 0.01, the paper's). */
  dampening?: number;
  /**
   * Number of Gram matrices in `gram` (default 1). With `g` > 1 the rows are split into `g` equal contiguous parts,
   * part `i` using the `i`-th `[k, k]` matrix — a grouped Conv, whose output channels of group `i` see only the input
   * channels of group `i`.
   */
  groups?: number;
}

/**
 * Lower Cholesky factor of a symmetric positive definite `[k, k]` matrix (float64, in place into a new array), or
 * undefined when a pivot is not positive (the matrix is not positive definite in float64).
 */
function cholesky(a: Float64Array, k: number): Float64Array | undefined {
  const l = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j];
    for (let t = 0; t < j; t++) d -= l[j * k + t] * l[j * k + t];
    if (!(d > 0)) return undefined;
    const s = Math.sqrt(d);
    l[j * k + j] = s;
    for (let i = j + 1; i < k; i++) {
      let v = a[i * k + j];
      for (let t = 0; t < j; t++) v -= l[i * k + t] * l[j * k + t];
      l[i * k + j] = v / s;
    }
  }
  return l;
}

/** `(L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹` from the lower factor `L`. */
function inverseFromCholesky(l: Float64Array, k: number): Float64Array {
  // M = L⁻¹ (lower), by forward substitution column by column.
  const m = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    m[j * k + j] = 1 / l[j * k + j];
    for (let i = j + 1; i < k; i++) {
      let v = 0;
      for (let t = j; t < i; t++) v -= l[i * k + t] * m[t * k + j];
      m[i * k + j] = v / l[i * k + i];
    }
  }
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let t = i; t < k; t++) v += m[t * k + i] * m[t * k + j];
      inv[i * k + j] = v;
      inv[j * k + i] = v;
    }
  }
  return inv;
}

/**
 * The upper Cholesky factor `U` of the damped inverse Hessian (`H⁻¹ = UᵀU`, row-major, `U[j, t]` at `j·k + t`) and
 * which inputs are dead (never non-zero in the calibration data), or undefined when every input is dead.
 */
function inverseHessianFactor(gram: Float64Array, offset: number, k: number, dampening: number, node: string, part: string): { u: Float64Array; dead: Uint8Array } | undefined {
  const h = Float64Array.from(gram.subarray(offset, offset + k * k));
  const dead = new Uint8Array(k);
  let trace = 0;
  for (let j = 0; j < k; j++) {
    const d = h[j * k + j];
    if (!Number.isFinite(d) || d < 0) throw new QuantizeError(`node "${node}": GPTQ Gram matrix${part} has diagonal entry ${j} = ${d}; a Gram matrix XᵀX has finite, non-negative diagonal entries`, { node });
    trace += d;
  }
  if (trace === 0) return undefined;
  const lambda = (dampening * trace) / k;
  for (let j = 0; j < k; j++) {
    if (h[j * k + j] === 0) {
      // A dead input: its row and column of XᵀX are zero. Decouple it (unit diagonal) so it is rounded to nearest
      // and neither gives nor takes error feedback.
      dead[j] = 1;
      for (let t = 0; t < k; t++) h[j * k + t] = h[t * k + j] = 0;
      h[j * k + j] = 1;
    } else {
      h[j * k + j] += lambda;
    }
  }
  const fail = (what: string): QuantizeError =>
    new QuantizeError(
      `node "${node}": GPTQ cannot factor the ${what}${part} (not positive definite in float64 even after damping λ = ${dampening} · mean(diag H) = ${lambda}); raise the dampening or use rounding 'nearest' for this node`,
      { node },
    );
  const l = cholesky(h, k);
  if (!l) throw fail('Hessian');
  const l2 = cholesky(inverseFromCholesky(l, k), k);
  if (!l2) throw fail('inverse Hessian');
  // U = L2ᵀ.
  const u = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) u[j * k + i] = l2[i * k + j];
  return { u, dead };
}

/**
 * Rounds a weight `[n, k]` with GPTQ for the given scales and zero points, which must come from
 * {@link quantizeWeight} (min-max or a clipped range): only the integer each weight rounds to changes, never a
 * scale. Per block, each block keeps the scale computed from the original weights (static groups).
 *
 * Per output row, in input order j = 0 … k−1, the (updated) weight is quantized with the quantizer's own rounding
 * (`round_half_even(w · (1/scale))` or `w / scale` by convention, plus the zero point, clamped to the stored range,
 * reduce-range and uint8 included), and its error `e = (w − ŵ) / U[j, j]` is subtracted, times `U[j, t]`, from the
 * row's inputs `t > j`; `U` is the upper Cholesky factor of `(H + λI)⁻¹`, `H = XᵀX` over the layer's calibration
 * inputs (the paper's factor 2 cancels), `λ = dampening · mean(diag H)`, all in float64. Inputs with `H[j, j] = 0`
 * (dead) are rounded to nearest with no feedback. Costs `O(k³)` per Gram matrix plus `O(n·k²)`, and `k²` float64s.
 *
 * @param w - float32 weights `[n, k]`, output-major (as {@link quantizeWeight} takes them)
 * @param gram - `XᵀX` of the layer's inputs `[k, k]` (float64, row-major), or `groups` of them back to back
 * @param q - the nearest-rounded {@link QuantizedWeight} whose scales and zero points are kept
 * @param s - the settings `q` was made with (bits, uint8/int8, reduce range, convention)
 * @param node - node name for messages
 * @param options - {@link GptqRoundOptions}
 * @returns a new {@link QuantizedWeight}: `q`'s scales and zero points, GPTQ-rounded values
 * @throws {@link QuantizeError} for a Gram matrix of the wrong size or with a negative/non-finite diagonal, or one
 *   that is not positive definite even after damping
 * @example
 * ```ts
 * const q = quantizeWeight(w, n, k, settings, 'fc1');
 * const g = gptqRound(w, gram, q, settings, 'fc1'); // same scales, lower ‖X(W − Ŵ)‖²
 * ```
 */
export function gptqRound(
  w: Float32Array,
  gram: Float64Array,
  q: QuantizedWeight,
  s: Pick<WeightQuantSettings, 'bits' | 'weightType' | 'reduceRange' | 'convention'>,
  node: string,
  options: GptqRoundOptions = {},
): QuantizedWeight {
  const { n, k } = q;
  const groups = options.groups ?? 1;
  const dampening = options.dampening ?? 0.01;
  if (w.length !== n * k) throw new QuantizeError(`node "${node}": GPTQ weight has ${w.length} elements, expected n·k = ${n}·${k}`, { node });
  if (!Number.isSafeInteger(groups) || groups < 1 || n % groups !== 0) {
    throw new QuantizeError(`node "${node}": GPTQ "groups" must be a positive integer dividing n = ${n}, got ${groups}`, { node });
  }
  if (gram.length !== groups * k * k) throw new QuantizeError(`node "${node}": GPTQ Gram matrix has ${gram.length} elements, expected groups·k·k = ${groups}·${k}·${k}`, { node });
  if (!(dampening >= 0 && Number.isFinite(dampening))) throw new QuantizeError(`node "${node}": GPTQ "dampening" must be a finite number ≥ 0, got ${dampening}`, { node });
  // Work in the stored (uint8-shifted) space: shifting the zero point and the range by the same amount commutes
  // with the clamp, so values come out exactly as quantizeWeight stores them.
  const shift = s.bits === 8 && s.weightType === 'uint8' ? 128 : 0;
  const range = storedRange(s);
  const lo = range.lo - shift;
  const hi = range.hi - shift;
  const byReciprocal = s.convention === 'pytorch';
  const perRowGroups = q.blockSize > 0 ? Math.ceil(k / q.blockSize) : 1;
  const perTensor = q.scales.length === 1;
  const groupOf = (r: number, c: number): number => (q.blockSize > 0 ? r * perRowGroups + Math.floor(c / q.blockSize) : perTensor ? 0 : r);
  const inv = Float32Array.from(q.scales, (x) => f(1 / x));
  const zp = (g: number): number => (q.zeroPoints ? q.zeroPoints[g] : 0);
  const values = new Int8Array(n * k);
  const row = new Float64Array(k);
  const rowsPer = n / groups;
  for (let part = 0; part < groups; part++) {
    const factor = inverseHessianFactor(gram, part * k * k, k, dampening, node, groups > 1 ? ` of group ${part}` : '');
    for (let r = part * rowsPer; r < (part + 1) * rowsPer; r++) {
      for (let j = 0; j < k; j++) row[j] = w[r * k + j];
      for (let j = 0; j < k; j++) {
        const g = groupOf(r, j);
        const v = quantizeValue(row[j], inv[g], q.scales[g], zp(g), lo, hi, byReciprocal);
        values[r * k + j] = v;
        if (!factor || factor.dead[j]) continue;
        const u = factor.u;
        const e = (row[j] - (v - zp(g)) * q.scales[g]) / u[j * k + j];
        for (let t = j + 1; t < k; t++) row[t] -= e * u[j * k + t];
      }
    }
  }
  return { ...q, values, scales: Float32Array.from(q.scales), ...(q.zeroPoints ? { zeroPoints: Int32Array.from(q.zeroPoints) } : {}) };
}
