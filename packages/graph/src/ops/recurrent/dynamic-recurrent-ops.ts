// Dynamically quantized recurrent layers: ai.qint DynamicLSTM / DynamicGRU / DynamicRNN (8/4/3/2-bit weights in the
// ONNX layout) and com.microsoft DynamicQuantizeLSTM (onnxruntime's int8 form, W and R transposed). Both run the
// float time loop of run-recurrent.ts with each product replaced by @qint/kernels' dynamicLinear: x_t and h_{t-1}
// quantized to uint8 per row (per time step and sequence) at run time, weights packed once per direction at load.
import { prepareLinearWeights, type LinearWeights, type WeightBits } from '@qint/kernels';
import { DTypeError, ShapeError, formatShape, type Tensor } from '@qint/tensor';
import { msOp } from '../define-op';
import type { OpBuildContext, OpDefinition, OpKernel } from '../op-definition';
import { constantInput } from '../qint/constant-input';
import { unpack3Bit } from '../qint/pack-3bit';
import { QINT_DOMAIN } from '../qint/qint-domain';
import { quantizedProjection } from './gate-projection';
import { readRecurrentConfig } from './recurrent-config';
import { recurrentInfer, runInputs } from './recurrent-ops';
import { biasAndPeepholes, splitRecurrent } from './recurrent-weights';
import { GATES, directionCount, runRecurrent, type DirectionWeights, type RecurrentConfig, type RecurrentKind } from './run-recurrent';
import { withNodeLabel } from './with-node-label';

/** Storage dtype of each bit width of ai.qint weights (3-bit: a uint8 stream, see `pack3Bit`). */
const WEIGHT_DTYPE: Record<WeightBits, string> = { 8: 'int8', 4: 'int4', 3: 'uint8', 2: 'int2' };

/** One weight matrix of every direction, as signed values `[dirs, n, k]` with their scale groups. */
interface QuantizedMatrices {
  values: Int8Array;
  /** `dirs · n · groupsPerRow` scales. */
  scales: Float32Array;
  zeroPoints?: Int32Array;
  groupsPerRow: number;
  blockSize: number;
  bits: WeightBits;
}

/** Per-direction LinearWeights of rows `[from, from + rows)` of a `[dirs, n, k]` matrix. */
function rowsOf(m: QuantizedMatrices, d: number, n: number, k: number, from: number, rows: number): LinearWeights {
  const g = m.groupsPerRow;
  const v0 = (d * n + from) * k;
  const s0 = (d * n + from) * g;
  return prepareLinearWeights({
    n: rows,
    k,
    bits: m.bits,
    values: m.values.subarray(v0, v0 + rows * k),
    blockSize: m.blockSize,
    scales: m.scales.subarray(s0, s0 + rows * g),
    ...(m.zeroPoints ? { zeroPoints: m.zeroPoints.subarray(s0, s0 + rows * g) } : {}),
  });
}

/** Expands scales / zero points given per tensor of each direction (`[dirs]`) or per channel to one per group. */
function expandGroups<T extends Float32Array | Int32Array>(v: T, dirs: number, n: number, groupsPerRow: number, what: string, make: (len: number) => T): T {
  if (v.length === dirs * n * groupsPerRow) return v;
  if (v.length === dirs) {
    const out = make(dirs * n * groupsPerRow);
    for (let d = 0; d < dirs; d++) out.fill(v[d], d * n * groupsPerRow, (d + 1) * n * groupsPerRow);
    return out;
  }
  throw new ShapeError(`"${what}" has ${v.length} elements; expected ${dirs} (per tensor of each direction) or ${dirs * n * groupsPerRow}`);
}

function signed(t: Tensor, bits: WeightBits, count: number, what: string): Int8Array {
  if (bits === 3 && t.dtype === 'uint8') return unpack3Bit(t.data as Uint8Array, count);
  if (t.size !== count) throw new ShapeError(`"${what}" has ${t.size} elements; expected ${count}`);
  const v = t.values();
  return v instanceof Int8Array ? v : Int8Array.from(v as ArrayLike<number>);
}

/** Reads one ai.qint weight matrix (W or R) with its scales and zero points. */
function readQintMatrix(ctx: OpBuildContext, at: number, scaleAt: number, name: string, dirs: number, n: number, k: number): QuantizedMatrices {
  const a = ctx.attrs;
  const bits = a.int('bits', 8) as WeightBits;
  if (bits !== 8 && bits !== 4 && bits !== 3 && bits !== 2) a.fail(`attribute "bits" must be 8, 4, 3 or 2, got ${bits}`);
  const blockSize = a.int('block_size', 0);
  if (!Number.isSafeInteger(blockSize) || blockSize < 0) a.fail(`attribute "block_size" must be a non-negative integer, got ${blockSize}`);
  const w = constantInput(ctx, at, name, false)!;
  const scale = constantInput(ctx, scaleAt, `${name}_scale`, false)!;
  const zp = constantInput(ctx, scaleAt + 1, `${name}_zero_point`, true);
  if (w.dtype !== WEIGHT_DTYPE[bits]) throw new DTypeError(`weight "${name}" must be ${WEIGHT_DTYPE[bits]} for bits = ${bits}, got ${w.dtype}`);
  if (bits !== 3 && (w.rank !== 3 || w.shape[0] !== dirs || w.shape[1] !== n || w.shape[2] !== k)) {
    throw new ShapeError(`weight "${name}" has shape ${formatShape(w.shape)}; expected [${dirs}, ${n}, ${k}]`);
  }
  if (bits === 3 && w.size !== Math.ceil((3 * dirs * n * k) / 8)) {
    throw new ShapeError(`3-bit weight stream "${name}" has ${w.size} bytes; [${dirs}, ${n}, ${k}] needs ${Math.ceil((3 * dirs * n * k) / 8)}`);
  }
  if (scale.dtype !== 'float32') throw new DTypeError(`"${name}_scale" must be float32, got ${scale.dtype}`);
  const groupsPerRow = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
  const values = signed(w, bits, dirs * n * k, name);
  const scales = expandGroups(scale.data as Float32Array, dirs, n, groupsPerRow, `${name}_scale`, (l) => new Float32Array(l));
  let zeroPoints: Int32Array | undefined;
  if (zp) {
    const raw = Int32Array.from(zp.dtype === 'uint8' && bits === 3 ? unpack3Bit(zp.data as Uint8Array, scale.size) : (zp.values() as ArrayLike<number>));
    zeroPoints = expandGroups(raw, dirs, n, groupsPerRow, `${name}_zero_point`, (l) => new Int32Array(l));
  }
  return { values, scales, ...(zeroPoints ? { zeroPoints } : {}), groupsPerRow, blockSize, bits };
}

/** Reads one com.microsoft DynamicQuantizeLSTM matrix `[dirs, k, n]` (int8 or uint8), transposed to `[dirs, n, k]`. */
function readMsMatrix(ctx: OpBuildContext, at: number, scaleAt: number, name: string, dirs: number, n: number, k: number): QuantizedMatrices {
  const w = constantInput(ctx, at, name, false)!;
  const scale = constantInput(ctx, scaleAt, `${name}_scale`, false)!;
  const zp = constantInput(ctx, scaleAt + 1, `${name}_zero_point`, true);
  if (w.dtype !== 'int8' && w.dtype !== 'uint8') throw new DTypeError(`weight "${name}" must be int8 or uint8, got ${w.dtype}`);
  if (w.rank !== 3 || w.shape[0] !== dirs || w.shape[1] !== k || w.shape[2] !== n) {
    throw new ShapeError(`weight "${name}" has shape ${formatShape(w.shape)}; expected [${dirs}, ${k}, ${n}]`);
  }
  if (scale.dtype !== 'float32') throw new DTypeError(`"${name}_scale" must be float32, got ${scale.dtype}`);
  if (zp && zp.dtype !== w.dtype) throw new DTypeError(`"${name}_zero_point" must be ${w.dtype} like "${name}", got ${zp.dtype}`);
  // uint8 weights and their zero points shift by −128 together: (w − zp) is unchanged and the kernels see int8.
  const shift = w.dtype === 'uint8' ? 128 : 0;
  const src = w.data as Int8Array | Uint8Array;
  const values = new Int8Array(dirs * n * k);
  for (let d = 0; d < dirs; d++) for (let kk = 0; kk < k; kk++) for (let j = 0; j < n; j++) values[(d * n + j) * k + kk] = src[(d * k + kk) * n + j] - shift;
  const scales = expandGroups(scale.data as Float32Array, dirs, n, 1, `${name}_scale`, (l) => new Float32Array(l));
  const zeroPoints = zp ? expandGroups(Int32Array.from(zp.data as Int8Array | Uint8Array, (v) => v - shift), dirs, n, 1, `${name}_zero_point`, (l) => new Int32Array(l)) : undefined;
  return { values, scales, ...(zeroPoints ? { zeroPoints } : {}), groupsPerRow: 1, blockSize: 0, bits: 8 };
}

type MatrixReader = typeof readQintMatrix;

function buildQuantized(kind: RecurrentKind, read: MatrixReader, transposed: boolean) {
  return (ctx: OpBuildContext): OpKernel =>
    withNodeLabel(ctx.label, () => {
      const scaleAt = kind === 'LSTM' ? 8 : 6;
      const r = ctx.constant(2);
      const hiddenGuess = r && r.rank === 3 ? r.shape[transposed ? 1 : 2] : undefined;
      const config: RecurrentConfig = readRecurrentConfig(ctx, kind, ctx.attrs.int('bits', 8) === 3 ? undefined : hiddenGuess);
      const dirs = directionCount(config);
      const H = config.hidden;
      const n = GATES[kind] * H;
      const w = constantInput(ctx, 1, 'W', false)!;
      const inputSize = ctx.attrs.int('input_size') ?? (w.rank === 3 ? w.shape[transposed ? 1 : 2] : undefined);
      if (inputSize === undefined || !Number.isSafeInteger(inputSize) || inputSize < 0) ctx.attrs.fail('attribute "input_size" is required for a 3-bit weight stream');
      const wm = read(ctx, 1, scaleAt, 'W', dirs, n, inputSize!);
      const rm = read(ctx, 2, scaleAt + 2, 'R', dirs, n, H);
      const b = constantInput(ctx, 3, 'B', true);
      const p = kind === 'LSTM' ? constantInput(ctx, 7, 'P', true) : undefined;
      const extras = biasAndPeepholes(config, b, p);
      const weights: DirectionWeights[] = extras.map((extra, d) => ({
        input: quantizedProjection(rowsOf(wm, d, n, inputSize!, 0, n), ctx.backend),
        ...splitRecurrent(config, (from, rows) => quantizedProjection(rowsOf(rm, d, n, H, from, rows), ctx.backend)),
        ...extra,
      }));
      return (inputs) => runRecurrent(config, weights, runInputs(kind, inputs));
    });
}

function qintOp(kind: RecurrentKind): OpDefinition {
  return { domain: QINT_DOMAIN, opType: `Dynamic${kind}`, sinceVersion: 1, build: buildQuantized(kind, readQintMatrix, false), infer: recurrentInfer(kind) };
}

/**
 * The dynamically quantized recurrent ops.
 *
 * `ai.qint::DynamicLSTM`, `DynamicGRU`, `DynamicRNN` (since 1): the inputs of ONNX LSTM / GRU / RNN in their order
 * (`X, W, R, B, sequence_lens, initial_h[, initial_c, P]`), then `W_scale, W_zero_point, R_scale, R_zero_point`
 * (at 8–11 for LSTM, 6–9 for GRU and RNN). W `[dirs, G·H, input]` and R `[dirs, G·H, H]` keep the ONNX layout as
 * signed `bits`-wide values (int8 / int4 / int2; 3 bits: a uint8 stream of all values, with attribute `input_size`);
 * scales float32 `[dirs]` (per tensor of each direction), `[dirs, G·H]` (per channel) or `[dirs, G·H, ⌈K / block_size⌉]`;
 * zero points optional, same layout, signed. Attributes: those of the float op plus `bits` and `block_size`.
 *
 * `com.microsoft::DynamicQuantizeLSTM` (since 1): onnxruntime's form — W `[dirs, input, 4H]`, R `[dirs, H, 4H]`
 * int8 or uint8, scales and zero points `[dirs]` or `[dirs, 4H]`.
 *
 * Activations (`x_t`, `h_{t-1}`) are quantized to uint8 per row at run time; the outputs equal the float op's run
 * with those products replaced by `dynamicLinear`, bit-identical on every backend.
 */
export const dynamicRecurrentOps: readonly OpDefinition[] = [
  qintOp('LSTM'),
  qintOp('GRU'),
  qintOp('RNN'),
  msOp('DynamicQuantizeLSTM', 1, buildQuantized('LSTM', readMsMatrix, true), recurrentInfer('LSTM')),
];
