// The gate math of one time step of one sequence (LSTM, GRU, RNN), kept in small monomorphic functions so V8
// optimizes each on its own; the default activations (Sigmoid, Tanh) take an inlined path.
import { sigmoid, tanh, type RecurrentActivation } from './recurrent-activation';

const clipTo = (v: number, clip: number): number => (v < -clip ? -clip : v > clip ? clip : v);

/** Arguments of one LSTM step. `xp` holds `X·Wᵀ + Wb + Rb` (gates i, o, f, c), `rec` holds `H·Rᵀ`. */
export interface LstmStep {
  hidden: number;
  xp: Float32Array;
  xo: number;
  rec: Float32Array;
  ro: number;
  /** Cell and hidden state of this sequence at `so` (updated in place). */
  c: Float32Array;
  h: Float32Array;
  so: number;
  p?: Float32Array;
  f: RecurrentActivation;
  g: RecurrentActivation;
  hAct: RecurrentActivation;
  /** Clip bound, or Infinity. */
  clip: number;
  inputForget: boolean;
}

/**
 * One LSTM step: `i = f(·)`, `f = f(·)` (or `1 − i`), `c̃ = g(·)`, `C = f·C₋₁ + i·c̃`, `o = f(· + Po·C)`, `H = o·h(C)`.
 *
 * @param s - the step's arrays and offsets
 */
export function lstmStep(s: LstmStep): void {
  const { hidden: H, xp, xo, rec, ro, c, h, so, p, f, g, hAct, clip, inputForget } = s;
  if (f === sigmoid && g === tanh && hAct === tanh && clip === Infinity && !p && !inputForget) {
    // tanh(v) as 2σ(2v) − 1: one exp, no branch; exact at ±∞, absolute error ~1e-16 near 0 (the states are float32).
    for (let j = 0; j < H; j++) {
      const i = 1 / (1 + Math.exp(-(xp[xo + j] + rec[ro + j])));
      const o = 1 / (1 + Math.exp(-(xp[xo + H + j] + rec[ro + H + j])));
      const fg = 1 / (1 + Math.exp(-(xp[xo + 2 * H + j] + rec[ro + 2 * H + j])));
      const cand = 2 / (1 + Math.exp(-2 * (xp[xo + 3 * H + j] + rec[ro + 3 * H + j]))) - 1;
      const cNew = Math.fround(fg * c[so + j] + i * cand);
      c[so + j] = cNew;
      h[so + j] = o * (2 / (1 + Math.exp(-2 * cNew)) - 1);
    }
    return;
  }
  for (let j = 0; j < H; j++) {
    const cPrev = c[so + j];
    let gi = xp[xo + j] + rec[ro + j];
    let gf = xp[xo + 2 * H + j] + rec[ro + 2 * H + j];
    if (p) {
      gi += p[j] * cPrev;
      gf += p[2 * H + j] * cPrev;
    }
    const i = f(clipTo(gi, clip));
    const fg = inputForget ? 1 - i : f(clipTo(gf, clip));
    const cand = g(clipTo(xp[xo + 3 * H + j] + rec[ro + 3 * H + j], clip));
    const cNew = Math.fround(fg * cPrev + i * cand);
    let go = xp[xo + H + j] + rec[ro + H + j];
    if (p) go += p[H + j] * cNew;
    c[so + j] = cNew;
    h[so + j] = f(clipTo(go, clip)) * hAct(cNew);
  }
}

/**
 * The z and r gates of one GRU step into `zr` (`[2H]` at `zo`): `f(x + H·Rᵀ)` with `xp` holding the biases.
 */
export function gruGates(hidden: number, xp: Float32Array, xo: number, rec: Float32Array, ro: number, zr: Float64Array, zo: number, f: RecurrentActivation, clip: number): void {
  const n = 2 * hidden;
  if (f === sigmoid && clip === Infinity) {
    for (let j = 0; j < n; j++) zr[zo + j] = 1 / (1 + Math.exp(-(xp[xo + j] + rec[ro + j])));
    return;
  }
  for (let j = 0; j < n; j++) zr[zo + j] = f(clipTo(xp[xo + j] + rec[ro + j], clip));
}

/**
 * The candidate and update of one GRU step: `h̃ = g(x + pre)` where `pre[j]` is `((r ⊙ H)·Rhᵀ)[j]` (`rhp`) or
 * `r·(H·Rhᵀ + Rbh)[j]` (linear_before_reset: `rec` at `ro + 2H`, `rbh`); `H = (1 − z)·h̃ + z·H₋₁`.
 */
export function gruUpdate(
  hidden: number, xp: Float32Array, xo: number, zr: Float64Array, zo: number, h: Float32Array, so: number,
  rhp: Float32Array | undefined, rec: Float32Array, ro: number, rbh: Float64Array, g: RecurrentActivation, clip: number,
): void {
  const H = hidden;
  for (let j = 0; j < H; j++) {
    const z = zr[zo + j];
    const xh = xp[xo + 2 * H + j];
    const pre = rhp ? xh + rhp[so + j] : xh + zr[zo + H + j] * (rec[ro + 2 * H + j] + rbh[j]);
    const v = clip === Infinity ? pre : clipTo(pre, clip);
    const cand = g === tanh ? tanh(v) : g(v);
    h[so + j] = (1 - z) * cand + z * h[so + j];
  }
}

/** One RNN step: `H = f(x + H₋₁·Rᵀ)`. */
export function rnnStep(hidden: number, xp: Float32Array, xo: number, rec: Float32Array, ro: number, h: Float32Array, so: number, f: RecurrentActivation, clip: number): void {
  if (f === tanh && clip === Infinity) {
    for (let j = 0; j < hidden; j++) h[so + j] = tanh(xp[xo + j] + rec[ro + j]);
    return;
  }
  for (let j = 0; j < hidden; j++) h[so + j] = f(clipTo(xp[xo + j] + rec[ro + j], clip));
}
