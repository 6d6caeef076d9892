import type { Tensor } from '@qint/tensor';

/** How the damage of quantizing a layer is measured on the model's first output. */
export type DamageMetric = 'kl' | 'mse' | 'top1';

function softmaxRow(values: ArrayLike<number>, start: number, width: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < width; c++) max = Math.max(max, values[start + c]);
  let sum = 0;
  for (let c = 0; c < width; c++) {
    out[c] = Math.exp(values[start + c] - max);
    sum += out[c];
  }
  for (let c = 0; c < width; c++) out[c] /= sum;
}

/**
 * Damage between a float reference output and a quantized model's output, summed over rows (the last dim is the class
 * or feature dim): `'kl'` — KL(softmax(ref) ‖ softmax(q)); `'mse'` — squared error summed over the row's elements;
 * `'top1'` — 1 when the argmax differs. Divide by the row count for a mean.
 *
 * @param reference - the float model's output
 * @param quantized - the quantized model's output, same shape
 * @param metric - the measure
 * @returns the summed damage (≥ 0) and the number of rows
 * @example
 * ```ts
 * outputDamage(floatLogits, quantLogits, 'kl'); // { sum: 0.0123, rows: 64 }
 * ```
 */
export function outputDamage(reference: Tensor, quantized: Tensor, metric: DamageMetric): { sum: number; rows: number } {
  const ref = reference.values();
  const q = quantized.values();
  const width = reference.shape[reference.rank - 1] ?? 1;
  const rows = width === 0 ? 0 : ref.length / width;
  const p = new Float64Array(width);
  const r = new Float64Array(width);
  let sum = 0;
  for (let row = 0; row < rows; row++) {
    const start = row * width;
    if (metric === 'mse') {
      for (let c = 0; c < width; c++) sum += (ref[start + c] - q[start + c]) ** 2;
    } else if (metric === 'top1') {
      let a = 0;
      let b = 0;
      for (let c = 1; c < width; c++) {
        if (ref[start + c] > ref[start + a]) a = c;
        if (q[start + c] > q[start + b]) b = c;
      }
      if (a !== b) sum += 1;
    } else {
      softmaxRow(ref, start, width, p);
      softmaxRow(q, start, width, r);
      let kl = 0;
      for (let c = 0; c < width; c++) if (p[c] > 0) kl += p[c] * Math.log(p[c] / Math.max(r[c], 1e-30));
      sum += Math.max(0, kl);
    }
  }
  return { sum, rows };
}
