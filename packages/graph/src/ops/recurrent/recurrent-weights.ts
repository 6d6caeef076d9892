// Float32 W / R / B / P of a recurrent node → one DirectionWeights per direction (validated, views, packed lazily).
import type { KernelBackend } from '@qint/kernels';
import { DTypeError, ShapeError, formatShape, type Tensor } from '@qint/tensor';
import { floatProjection, type GateProjection } from './gate-projection';
import { GATES, directionCount, type DirectionWeights, type RecurrentConfig } from './run-recurrent';

/**
 * Checks that `t` is float32 with the given shape and returns its data.
 *
 * @throws {@link DTypeError} / {@link ShapeError} naming the input
 */
export function requireF32Shape(t: Tensor, what: string, shape: readonly number[]): Float32Array {
  if (t.dtype !== 'float32') throw new DTypeError(`input "${what}" must be float32, got ${t.dtype}`);
  if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`input "${what}" has shape ${formatShape(t.shape)}; expected ${formatShape(shape)}`);
  }
  return t.data as Float32Array;
}

/**
 * The optional bias `B` `[dirs, 2·G·H]` and peepholes `P` `[dirs, 3H]` of direction `d` as views (Wb, Rb, P).
 *
 * @throws {@link DTypeError} / {@link ShapeError} for a wrong dtype or shape
 */
export function biasAndPeepholes(config: RecurrentConfig, b: Tensor | undefined, p: Tensor | undefined): { wb?: Float32Array; rb?: Float32Array; p?: Float32Array }[] {
  const dirs = directionCount(config);
  const gh = GATES[config.kind] * config.hidden;
  const bd = b ? requireF32Shape(b, 'B', [dirs, 2 * gh]) : undefined;
  const pd = p ? requireF32Shape(p, 'P', [dirs, 3 * config.hidden]) : undefined;
  return Array.from({ length: dirs }, (_, d) => ({
    ...(bd ? { wb: bd.subarray(2 * gh * d, 2 * gh * d + gh), rb: bd.subarray(2 * gh * d + gh, 2 * gh * (d + 1)) } : {}),
    ...(pd ? { p: pd.subarray(3 * config.hidden * d, 3 * config.hidden * (d + 1)) } : {}),
  }));
}

/**
 * The recurrent projections of one direction from its `R` rows `[G·H, H]`: one matrix, or for a GRU without
 * `linear_before_reset` the z/r rows and the h rows apart (the candidate multiplies `r ⊙ H`, not `H`).
 */
export function splitRecurrent(
  config: RecurrentConfig,
  make: (rowFrom: number, rows: number) => GateProjection,
): { recurrent: GateProjection; recurrentH?: GateProjection } {
  const H = config.hidden;
  if (config.kind === 'GRU' && !config.linearBeforeReset) return { recurrent: make(0, 2 * H), recurrentH: make(2 * H, H) };
  return { recurrent: make(0, GATES[config.kind] * H) };
}

/**
 * Float32 weights of every direction: W `[dirs, G·H, input]`, R `[dirs, G·H, H]`, optional B and P. The matrices are
 * views of the tensors (not copied); each is packed by the backend at its first product.
 *
 * @param config - the node's parsed attributes
 * @param w - W
 * @param r - R
 * @param b - B, or undefined
 * @param p - P (LSTM), or undefined
 * @param backend - the session's backend
 * @returns one {@link DirectionWeights} per direction
 * @throws {@link DTypeError} / {@link ShapeError} for a wrong dtype or shape
 * @example
 * ```ts
 * const weights = floatRecurrentWeights(config, w, r, b, undefined, undefined);
 * ```
 */
export function floatRecurrentWeights(
  config: RecurrentConfig,
  w: Tensor,
  r: Tensor,
  b: Tensor | undefined,
  p: Tensor | undefined,
  backend: KernelBackend | undefined,
): DirectionWeights[] {
  const dirs = directionCount(config);
  const H = config.hidden;
  const gh = GATES[config.kind] * H;
  if (w.rank !== 3) throw new ShapeError(`input "W" has shape ${formatShape(w.shape)}; expected [${dirs}, ${gh}, input_size]`);
  const inputSize = w.shape[2];
  const wd = requireF32Shape(w, 'W', [dirs, gh, inputSize]);
  const rd = requireF32Shape(r, 'R', [dirs, gh, H]);
  const extras = biasAndPeepholes(config, b, p);
  return extras.map((extra, d) => ({
    input: floatProjection(wd.subarray(d * gh * inputSize, (d + 1) * gh * inputSize), gh, inputSize, backend),
    ...splitRecurrent(config, (from, rows) => floatProjection(rd.subarray((d * gh + from) * H, (d * gh + from + rows) * H), rows, H, backend)),
    ...extra,
  }));
}

/** Frees the packed copies of weights built for one run. */
export function releaseRecurrentWeights(weights: readonly DirectionWeights[]): void {
  for (const w of weights) {
    w.input.release();
    w.recurrent.release();
    w.recurrentH?.release();
  }
}
