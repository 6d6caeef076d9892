// The time loop shared by LSTM, GRU and RNN (float and dynamically quantized): layouts, directions, sequence
// lengths, initial states and outputs. The gate products go through GateProjections; the gate math is plain TS.
import { DTypeError, ShapeError, Tensor, ValueError, formatShape } from '@qint/tensor';
import type { GateProjection } from './gate-projection';
import type { RecurrentActivation } from './recurrent-activation';
import { gruGates, gruUpdate, lstmStep, rnnStep, type LstmStep } from './recurrent-cells';

/** Which recurrent layer. */
export type RecurrentKind = 'LSTM' | 'GRU' | 'RNN';

/** Gates per kind (LSTM i, o, f, c; GRU z, r, h; RNN one). */
export const GATES: Record<RecurrentKind, number> = { LSTM: 4, GRU: 3, RNN: 1 };

/** The attributes of one recurrent node, parsed at load. */
export interface RecurrentConfig {
  readonly kind: RecurrentKind;
  readonly hidden: number;
  readonly direction: 'forward' | 'reverse' | 'bidirectional';
  readonly layout: 0 | 1;
  /** Bound applied to every gate pre-activation (`clip`), or undefined. */
  readonly clip?: number;
  /** LSTM `input_forget`: the forget gate is `1 − i`. */
  readonly inputForget: boolean;
  /** GRU `linear_before_reset`. */
  readonly linearBeforeReset: boolean;
  /** Activations, direction-major (LSTM f, g, h; GRU f, g; RNN f per direction). */
  readonly activations: readonly RecurrentActivation[];
}

/** The weights of one direction, prepared once. */
export interface DirectionWeights {
  /** `X · Wᵀ`: `[G·H, input]`. */
  readonly input: GateProjection;
  /** `H · Rᵀ`: `[G·H, H]`; for GRU without `linear_before_reset`, only the z and r rows `[2H, H]`. */
  readonly recurrent: GateProjection;
  /** GRU without `linear_before_reset`: `(r ⊙ H) · Rhᵀ`, `[H, H]`. */
  readonly recurrentH?: GateProjection;
  /** `Wb` (`G·H`), or undefined. */
  readonly wb?: Float32Array;
  /** `Rb` (`G·H`), or undefined. */
  readonly rb?: Float32Array;
  /** LSTM peepholes `[3H]` (i, o, f), or undefined. */
  readonly p?: Float32Array;
}

/** The run-time inputs of a recurrent node. */
export interface RecurrentInputs {
  readonly x: Tensor;
  readonly sequenceLens?: Tensor;
  readonly initialH?: Tensor;
  readonly initialC?: Tensor;
}

/** Number of directions of a config. */
export function directionCount(config: RecurrentConfig): 1 | 2 {
  return config.direction === 'bidirectional' ? 2 : 1;
}

/** Reads an initial state (`[dirs, batch, H]`, layout 1 `[batch, dirs, H]`) into one `[batch, H]` array per direction. */
function readState(t: Tensor | undefined, what: string, dirs: number, batch: number, hidden: number, layout: 0 | 1): Float32Array[] {
  const out = Array.from({ length: dirs }, () => new Float32Array(batch * hidden));
  if (!t) return out;
  if (t.dtype !== 'float32') throw new DTypeError(`input "${what}" must be float32, got ${t.dtype}`);
  const expected = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  if (t.rank !== 3 || t.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`input "${what}" has shape ${formatShape(t.shape)}; expected ${formatShape(expected)}`);
  }
  const src = t.data as Float32Array;
  for (let d = 0; d < dirs; d++) {
    for (let b = 0; b < batch; b++) {
      const from = layout === 0 ? (d * batch + b) * hidden : (b * dirs + d) * hidden;
      out[d].set(src.subarray(from, from + hidden), b * hidden);
    }
  }
  return out;
}

/** Writes per-direction `[batch, H]` states as `[dirs, batch, H]` (layout 1: `[batch, dirs, H]`). */
function writeState(states: readonly Float32Array[], batch: number, hidden: number, layout: 0 | 1): Tensor<'float32'> {
  const dirs = states.length;
  const out = new Float32Array(dirs * batch * hidden);
  for (let d = 0; d < dirs; d++) {
    for (let b = 0; b < batch; b++) {
      const to = layout === 0 ? (d * batch + b) * hidden : (b * dirs + d) * hidden;
      out.set(states[d].subarray(b * hidden, (b + 1) * hidden), to);
    }
  }
  return Tensor.from('float32', layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden], out);
}

function readLengths(t: Tensor | undefined, batch: number, seq: number): Int32Array {
  const lens = new Int32Array(batch).fill(seq);
  if (!t) return lens;
  if (t.dtype !== 'int32' && t.dtype !== 'int64') throw new DTypeError(`input "sequence_lens" must be int32, got ${t.dtype}`);
  if (t.size !== batch) throw new ShapeError(`input "sequence_lens" has shape ${formatShape(t.shape)}; expected [${batch}]`);
  const v = t.values();
  for (let b = 0; b < batch; b++) {
    const n = Number(v[b]);
    if (!Number.isInteger(n) || n < 0 || n > seq) throw new ValueError(`sequence_lens[${b}] = ${n} is outside [0, ${seq}] (the sequence length of X)`);
    lens[b] = n;
  }
  return lens;
}

/**
 * Runs one recurrent layer over a whole sequence, every direction. Per direction: the input projection of all time
 * steps in one product, then per step one product of the previous hidden state with the (pre-packed) recurrent
 * weights, then the gate math. A sequence with `sequence_lens[b] < seq` stops early (reverse: starts at its last
 * valid step); its `Y` past the end is 0 and its final state is the one after its last valid step.
 *
 * @param config - parsed attributes
 * @param weights - one entry per direction (forward first)
 * @param inputs - X and the optional run-time inputs
 * @returns `[Y, Y_h]` (and `Y_c` for LSTM)
 * @throws {@link DTypeError} / {@link ShapeError} / {@link ValueError} when an input does not match the weights
 * @example
 * ```ts
 * const [y, yh, yc] = runRecurrent(config, [forward], { x });
 * ```
 */
export function runRecurrent(config: RecurrentConfig, weights: readonly DirectionWeights[], inputs: RecurrentInputs): Tensor[] {
  const { kind, hidden: H, layout } = config;
  const clip = config.clip ?? Infinity;
  const G = GATES[kind];
  const { x } = inputs;
  if (x.dtype !== 'float32') throw new DTypeError(`input "X" must be float32, got ${x.dtype}`);
  const inputSize = weights[0].input.k;
  if (x.rank !== 3 || x.shape[2] !== inputSize) {
    throw new ShapeError(`input "X" has shape ${formatShape(x.shape)}; expected 3-D with input size ${inputSize} (from W) last`);
  }
  const seq = layout === 0 ? x.shape[0] : x.shape[1];
  const batch = layout === 0 ? x.shape[1] : x.shape[0];
  const dirs = weights.length;
  const lens = readLengths(inputs.sequenceLens, batch, seq);
  let maxLen = 0;
  for (let b = 0; b < batch; b++) maxLen = Math.max(maxLen, lens[b]);
  const hState = readState(inputs.initialH, 'initial_h', dirs, batch, H, layout);
  const cState = kind === 'LSTM' ? readState(inputs.initialC, 'initial_c', dirs, batch, H, layout) : [];
  const y = new Float32Array(seq * dirs * batch * H);
  const xd = x.data as Float32Array;
  const lbr = config.linearBeforeReset;
  const per = kind === 'LSTM' ? 3 : kind === 'GRU' ? 2 : 1;

  for (let d = 0; d < dirs; d++) {
    const w = weights[d];
    const reverse = config.direction === 'reverse' || d === 1;
    const [f, g, hAct] = config.activations.slice(d * per, d * per + per);
    // Bias folded into the input projection (one pass): Wb + Rb for every gate, except Rbh of a GRU with
    // linear_before_reset, which is multiplied by r.
    const GH = G * H;
    const xb = new Float64Array(GH);
    const rbh = new Float64Array(H);
    for (let j = 0; j < GH; j++) {
      const rb = w.rb ? w.rb[j] : 0;
      const keepRb = kind === 'GRU' && lbr && j >= 2 * H;
      xb[j] = (w.wb ? w.wb[j] : 0) + (keepRb ? 0 : rb);
      if (keepRb) rbh[j - 2 * H] = rb;
    }
    const xp = w.input.begin()(xd, seq * batch);
    const recurrent = w.recurrent.begin();
    const recurrentH = w.recurrentH?.begin();
    if (w.wb || w.rb) for (let o = 0; o < xp.length; o += GH) for (let j = 0; j < GH; j++) xp[o + j] += xb[j];
    const h = hState[d];
    const c = kind === 'LSTM' ? cState[d] : h;
    const rh = kind === 'GRU' && !lbr ? new Float32Array(batch * H) : undefined;
    const zr = new Float64Array(kind === 'GRU' ? batch * 2 * H : 0);
    const step: LstmStep = { hidden: H, xp, xo: 0, rec: xp, ro: 0, c, h, so: 0, ...(w.p ? { p: w.p } : {}), f, g: g ?? f, hAct: hAct ?? f, clip, inputForget: config.inputForget };
    for (let s = 0; s < maxLen; s++) {
      const rec = recurrent(h, batch);
      const recN = w.recurrent.n;
      if (kind === 'GRU') {
        // z and r first: without linear_before_reset, the candidate needs (r ⊙ H) · Rhᵀ, a second product.
        for (let b = 0; b < batch; b++) {
          if (s >= lens[b]) continue;
          const t = reverse ? lens[b] - 1 - s : s;
          const xo = (layout === 0 ? t * batch + b : b * seq + t) * GH;
          gruGates(H, xp, xo, rec, b * recN, zr, b * 2 * H, f, clip);
          if (rh) for (let j = 0; j < H; j++) rh[b * H + j] = zr[b * 2 * H + H + j] * h[b * H + j];
        }
      }
      const rhp = rh ? recurrentH!(rh, batch) : undefined;
      for (let b = 0; b < batch; b++) {
        if (s >= lens[b]) continue;
        const t = reverse ? lens[b] - 1 - s : s;
        const xo = (layout === 0 ? t * batch + b : b * seq + t) * GH;
        const ro = b * recN;
        const so = b * H;
        if (kind === 'LSTM') {
          step.xo = xo;
          step.rec = rec;
          step.ro = ro;
          step.so = so;
          lstmStep(step);
        } else if (kind === 'GRU') {
          gruUpdate(H, xp, xo, zr, b * 2 * H, h, so, rhp, rec, ro, rbh, g, clip);
        } else {
          rnnStep(H, xp, xo, rec, ro, h, so, f, clip);
        }
        y.set(h.subarray(so, so + H), layout === 0 ? ((t * dirs + d) * batch + b) * H : ((b * seq + t) * dirs + d) * H);
      }
    }
  }
  const yShape = layout === 0 ? [seq, dirs, batch, H] : [batch, seq, dirs, H];
  const out: Tensor[] = [Tensor.from('float32', yShape, y), writeState(hState, batch, H, layout)];
  if (kind === 'LSTM') out.push(writeState(cState, batch, H, layout));
  return out;
}
