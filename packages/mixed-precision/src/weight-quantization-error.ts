import { ShapeError, ValueError } from '@qint/tensor';
import { fakeQuantize } from './internal/fake-quantize';
import type { QuantScheme } from './sensitivity-table';

/**
 * A data-free sensitivity proxy: the squared error that quantizing a weight matrix introduces, each input column
 * weighted by the energy of that input —
 *
 *   Σ_i Σ_j (w_ij − ŵ_ij)² · energy_j,   ŵ = dequantize(quantize(w))
 *
 * For a linear layer y = W·x, the expected squared output error is Σ_i e_iᵀ E[x xᵀ] e_i with e_i the error of
 * row i; keeping only the diagonal E[x_j²] gives this sum (the "importance matrix" idea of llama.cpp's imatrix and
 * the diagonal-Hessian view of HAWQ/GPTQ). With `inputEnergy` omitted every energy is 1 and it is the plain squared
 * weight error. No model run is needed; pass `energy_j = mean(x_j²)` from calibration data when available.
 *
 * Quantization (round half to even, saturating, float32 arithmetic as ONNX QuantizeLinear): symmetric — signed
 * levels, `scale = absmax / (2^(b−1) − 1)`, zero point 0; affine (`affine: true`) — the group's range widened to
 * contain 0 mapped onto `[0, 2^b − 1]`; groups per tensor, per output row, or per block of `blockSize` inputs of a
 * row; scales rounded to float16 when `scaleBytes` is 2. `'float'` gives 0.
 *
 * @param weights - the `[n, k]` weight, output-major (row i = output i), as float32
 * @param shape - `[n, k]`
 * @param scheme - bits (2–8), granularity, blockSize, affine, scaleBytes (a {@link Candidate} is a scheme)
 * @param inputEnergy - optional `[k]` non-negative weights per input column
 * @returns the weighted squared error (≥ 0)
 * @throws ShapeError when `weights.length` ≠ n·k or `inputEnergy.length` ≠ k
 * @throws ValueError for a weight or energy that is NaN/infinite (or a negative energy), bits outside 2–8, a
 *   per-block scheme without a positive integer blockSize, an unknown granularity, a float16 scale overflow
 * @example
 * ```ts
 * const w = Float32Array.from([0.1, -0.5, 0.26, 1]);
 * weightQuantizationError(w, [1, 4], { bits: 2, granularity: 'per-channel' }); // ≈ 0.3276 (ŵ = [0, 0, 0, 1])
 * ```
 */
export function weightQuantizationError(
  weights: Float32Array,
  shape: readonly [number, number],
  scheme: QuantScheme,
  inputEnergy?: Float32Array,
): number {
  const [n, k] = shape;
  if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(k) || k < 0) {
    throw new ShapeError(`weightQuantizationError: shape must be [n, k] of non-negative integers, got [${shape.join(', ')}]`);
  }
  if (!(weights instanceof Float32Array)) throw new ValueError('weightQuantizationError: weights must be a Float32Array');
  if (weights.length !== n * k) {
    throw new ShapeError(`weightQuantizationError: weights has ${weights.length} elements, shape [${n}, ${k}] needs ${n * k}`);
  }
  if (inputEnergy !== undefined && inputEnergy.length !== k) {
    throw new ShapeError(`weightQuantizationError: inputEnergy has ${inputEnergy.length} elements, expected k = ${k}`);
  }
  checkScheme(scheme);
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i])) throw new ValueError(`weightQuantizationError: weights[${i}] is ${weights[i]}; weights must be finite`);
  }
  if (inputEnergy) {
    for (let j = 0; j < k; j++) {
      if (!Number.isFinite(inputEnergy[j]) || inputEnergy[j] < 0) {
        throw new ValueError(`weightQuantizationError: inputEnergy[${j}] is ${inputEnergy[j]}; energies must be finite and ≥ 0`);
      }
    }
  }
  if (scheme.granularity === 'float') return 0;
  const deq = fakeQuantize(weights, n, k, scheme);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const e = weights[i * k + j] - deq[i * k + j];
      total += e * e * (inputEnergy ? inputEnergy[j] : 1);
    }
  }
  return total;
}

function checkScheme(s: QuantScheme): void {
  if (s === null || typeof s !== 'object') throw new ValueError('weightQuantizationError: scheme must be an object { bits, granularity, … }');
  if (s.granularity === 'float') return;
  if (s.granularity !== 'per-tensor' && s.granularity !== 'per-channel' && s.granularity !== 'per-block') {
    throw new ValueError(`weightQuantizationError: scheme.granularity must be 'per-tensor', 'per-channel', 'per-block' or 'float', got ${JSON.stringify(s.granularity)}`);
  }
  if (!Number.isInteger(s.bits) || s.bits < 2 || s.bits > 8) {
    throw new ValueError(`weightQuantizationError: scheme.bits must be an integer 2–8, got ${String(s.bits)}`);
  }
  if (s.granularity === 'per-block' && (!Number.isSafeInteger(s.blockSize) || (s.blockSize as number) < 1)) {
    throw new ValueError(`weightQuantizationError: per-block schemes need blockSize, a positive integer, got ${String(s.blockSize)}`);
  }
  if (s.scaleBytes !== undefined && s.scaleBytes !== 2 && s.scaleBytes !== 4) {
    throw new ValueError(`weightQuantizationError: scheme.scaleBytes must be 2 or 4, got ${String(s.scaleBytes)}`);
  }
}
