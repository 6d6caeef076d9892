// The activation functions of ONNX LSTM / GRU / RNN (`activations`, `activation_alpha`, `activation_beta`).
import { UnsupportedVariant } from '../unsupported-variant';

/** One activation applied elementwise to a gate's pre-activation (float64 in, float64 out). */
export type RecurrentActivation = (x: number) => number;

/** Parameter defaults of the activations that take `alpha` / `beta` (onnxruntime's and the ONNX reference's). */
const PARAMETERS: Record<string, { alpha?: number; beta?: number }> = {
  affine: { alpha: 1, beta: 0 },
  leakyrelu: { alpha: 0.01 },
  thresholdedrelu: { alpha: 1 },
  scaledtanh: { alpha: 1, beta: 1 },
  hardsigmoid: { alpha: 0.2, beta: 0.5 },
  elu: { alpha: 1 },
};

/** The logistic function, computed without overflow for either sign (the identity of the default `f`). */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * tanh through `Math.exp` (V8's `Math.tanh` costs about five `Math.exp`s, and a recurrent step is mostly activations):
 * `(1 − e) / (1 + e)` with `e = exp(−2|x|)`, odd; below 1e-4 the series `x − x³/3`. Relative error below 1e-12.
 */
export function tanh(x: number): number {
  const a = x < 0 ? -x : x;
  if (a < 1e-4) return x - (x * x * x) / 3;
  const e = Math.exp(-2 * a);
  const t = (1 - e) / (1 + e);
  return x < 0 ? -t : t;
}

function make(name: string, alpha: number, beta: number): RecurrentActivation | undefined {
  switch (name) {
    case 'sigmoid':
      return sigmoid;
    case 'tanh':
      return tanh;
    case 'relu':
      return (x) => (x <= 0 ? 0 : x);
    case 'affine':
      return (x) => alpha * x + beta;
    case 'leakyrelu':
      return (x) => (x >= 0 ? x : alpha * x);
    case 'thresholdedrelu':
      return (x) => (x > alpha ? x : 0);
    case 'scaledtanh':
      return (x) => alpha * Math.tanh(beta * x);
    case 'hardsigmoid':
      return (x) => Math.min(Math.max(alpha * x + beta, 0), 1);
    case 'elu':
      return (x) => (x >= 0 ? x : alpha * (Math.exp(x) - 1));
    case 'softsign':
      return (x) => x / (1 + Math.abs(x));
    case 'softplus':
      return (x) => (x > 30 ? x : Math.log1p(Math.exp(x)));
    default:
      return undefined;
  }
}

/**
 * The activations of every direction of a recurrent node, `perDirection` functions each (LSTM f, g, h; GRU f, g;
 * RNN f), forward first. `names` empty gives `defaults`; a list of `perDirection` names for a bidirectional node is
 * used for both directions. `alphas` / `betas` are consumed in order by the activations that take the parameter
 * (Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu); once a list runs out the defaults apply.
 *
 * @param names - the `activations` attribute (case-insensitive)
 * @param alphas - `activation_alpha`
 * @param betas - `activation_beta`
 * @param defaults - the op's default names for one direction
 * @param directions - 1 or 2
 * @returns `directions × perDirection` functions, direction-major
 * @throws {@link UnsupportedVariant} for an unknown name or a list of the wrong length
 * @example
 * ```ts
 * const [f, g, h] = recurrentActivations([], [], [], ['Sigmoid', 'Tanh', 'Tanh'], 1);
 * ```
 */
export function recurrentActivations(
  names: readonly string[],
  alphas: readonly number[],
  betas: readonly number[],
  defaults: readonly string[],
  directions: number,
): RecurrentActivation[] {
  const per = defaults.length;
  let list = names.length === 0 ? defaults : names;
  if (list.length === per && directions === 2) list = [...list, ...list];
  if (list.length !== per * directions) {
    throw new UnsupportedVariant(`"activations" lists ${list.length} function(s); expected ${per} per direction (${per * directions})`);
  }
  let ai = 0;
  let bi = 0;
  return list.map((raw) => {
    const name = raw.toLowerCase();
    const p = PARAMETERS[name];
    let alpha = 0;
    let beta = 0;
    if (p?.alpha !== undefined) alpha = ai < alphas.length ? alphas[ai++] : p.alpha;
    if (p?.beta !== undefined) beta = bi < betas.length ? betas[bi++] : p.beta;
    const fn = make(name, alpha, beta);
    if (!fn) throw new UnsupportedVariant(`activation "${raw}" is not one of the ONNX recurrent activations`);
    return fn;
  });
}
