import type { Tensor } from '@qint/tensor';
import { QuantizeError } from './quantize-error';

/**
 * Calibration data holding NaN or ±Infinity. Ranges, sensitivities and Gram matrices measured on it are meaningless
 * (a NaN poisons sums, min/max observers skip it), so every calibration path refuses it with this one error naming
 * the sample and the input. `sample` counts along the first dim of each input across the batches, in order.
 *
 * @example
 * ```ts
 * try { measureSensitivity(model, { calibration }); }
 * catch (e) { if (e instanceof NonFiniteCalibrationError) console.log(e.sample, e.input); }
 * ```
 */
export class NonFiniteCalibrationError extends QuantizeError {
  /** Index of the offending sample (first dim, counted across batches). */
  readonly sample: number;
  /** Name of the model input that holds it. */
  readonly input: string;

  /**
   * @param where - the function or command that refused the data
   * @param sample - sample index
   * @param input - input name
   * @param value - the non-finite value found
   */
  constructor(where: string, sample: number, input: string, value: number) {
    super(
      `${where}: calibration sample ${sample} of input "${input}" holds ${value}; NaN and ±Infinity give meaningless ranges and measurements — remove or repair the sample`,
      { node: input },
    );
    this.sample = sample;
    this.input = input;
  }
}

/**
 * Throws {@link NonFiniteCalibrationError} for the first NaN or ±Infinity in the float inputs of `batches` (an
 * array: a one-shot iterable is not consumed here). Samples are counted along each input's first dim.
 *
 * @param where - named in the message
 * @param batches - the calibration feeds
 * @throws {@link NonFiniteCalibrationError}
 */
export function assertFiniteCalibration(where: string, batches: unknown): void {
  if (!Array.isArray(batches)) return;
  const offset = new Map<string, number>();
  for (const feeds of batches as Readonly<Record<string, Tensor>>[]) {
    if (feeds === null || typeof feeds !== 'object') continue;
    for (const [name, t] of Object.entries(feeds)) {
      const start = offset.get(name) ?? 0;
      if (!t || (t.dtype !== 'float32' && t.dtype !== 'float64' && t.dtype !== 'float16')) continue;
      const rows = t.rank > 0 ? t.shape[0]! : 1;
      offset.set(name, start + rows);
      const v = t.dtype === 'float16' ? t.values() : (t.data as Float32Array | Float64Array);
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i]! * 0;
      if (s === s) continue;
      const per = rows > 0 ? v.length / rows : 1;
      for (let i = 0; i < v.length; i++) {
        if (!Number.isFinite(v[i])) throw new NonFiniteCalibrationError(where, start + Math.floor(i / per), name, v[i]!);
      }
    }
  }
}
