// com.microsoft layer normalizations of optimized transformer exports, all over the last dim:
// SkipLayerNormalization (LayerNorm(input + skip [+ bias]) · gamma [+ beta]), SkipSimplifiedLayerNormalization (the
// RMS form, no mean), and EmbedLayerNormalization (word + position [+ segment] embeddings, then LayerNorm, plus the
// mask index). The LayerNorm itself is the backend's layerNormF32 row kernel.
import { layerNormF32, type KernelBackend } from '@qint/kernels';
import { ShapeError, Tensor } from '@qint/tensor';
import { msOp } from './define-op';
import type { InferredValue, OpBuildContext, OpDefinition } from './op-definition';
import { rmsNormRows } from './rms-normalization-ops';
import { fromFloats, need, readFloat16or32, readInts } from './tensor-utils';

const floats = readFloat16or32;

function vec(t: Tensor | undefined, n: number, what: string): Float32Array | undefined {
  if (!t) return undefined;
  if (t.size !== n) throw new ShapeError(`${what} must hold ${n} values (the hidden size), got [${t.shape.join(', ')}]`);
  return floats(t, what);
}

/** Per-row float64 mean and 1/sqrt(var + ε) (the optional statistics outputs). */
function rowStats(x: Float32Array, rows: number, dim: number, epsilon: number, simplified: boolean): { mean: Float32Array; inv: Float32Array } {
  const mean = new Float32Array(rows);
  const inv = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[r * dim + j];
    const m = simplified ? 0 : s / dim;
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += (x[r * dim + j] - m) ** 2;
    mean[r] = m;
    inv[r] = 1 / Math.sqrt(sq / dim + epsilon);
  }
  return { mean, inv };
}

function skipNorm(inputs: readonly (Tensor | undefined)[], epsilon: number, simplified: boolean, backend: KernelBackend | undefined): Tensor[] {
  const x = need(inputs, 0, 'input');
  const skip = need(inputs, 1, 'skip');
  if (x.rank !== 3 && x.rank !== 2) throw new ShapeError(`input must be 2-D or 3-D, got [${x.shape.join(', ')}]`);
  const dim = x.shape[x.rank - 1];
  const rows = x.size / Math.max(dim, 1);
  if (skip.shape[skip.rank - 1] !== dim || x.size % Math.max(skip.size, 1) !== 0) throw new ShapeError(`skip [${skip.shape.join(', ')}] does not broadcast to input [${x.shape.join(', ')}]`);
  const gamma = vec(need(inputs, 2, 'gamma'), dim, 'gamma')!;
  const beta = simplified ? undefined : vec(inputs[3], dim, 'beta');
  const bias = vec(inputs[simplified ? 3 : 4], dim, 'bias');
  const xd = floats(x, 'input');
  const sd = floats(skip, 'skip');
  const sum = new Float32Array(xd.length);
  const sl = sd.length;
  for (let i = 0; i < xd.length; i++) sum[i] = bias ? xd[i] + sd[i % sl] + bias[i % dim] : xd[i] + sd[i % sl];
  let y: Float32Array;
  if (simplified) y = rmsNormRows(sum, rows, dim, gamma, epsilon).y;
  else {
    y = new Float32Array(sum.length);
    layerNormF32({ rows, dim, x: sum, scale: gamma, ...(beta ? { bias: beta } : {}), epsilon, out: y }, backend ? { backend } : undefined);
  }
  const { mean, inv } = rowStats(sum, rows, dim, epsilon, simplified);
  const statShape = [...x.shape.slice(0, -1), 1];
  return [fromFloats(x.dtype, x.shape, y), Tensor.from('float32', statShape, mean), Tensor.from('float32', statShape, inv), fromFloats(x.dtype, x.shape, sum)];
}

/** EmbedLayerNormalization: outputs the normalized embedding sum `[B, S, H]`, the mask index `[B]` and the sum. */
function embedLayerNorm(inputs: readonly (Tensor | undefined)[], epsilon: number, backend: KernelBackend | undefined): Tensor[] {
  const ids = need(inputs, 0, 'input_ids');
  if (ids.rank !== 2) throw new ShapeError(`input_ids must be [batch, sequence], got [${ids.shape.join(', ')}]`);
  const [batch, seq] = ids.shape;
  const word = need(inputs, 2, 'word_embedding');
  const pos = need(inputs, 3, 'position_embedding');
  const seg = inputs[4];
  const segIds = inputs[1];
  if (word.rank !== 2 || pos.rank !== 2) throw new ShapeError('word_embedding and position_embedding must be 2-D');
  const dim = word.shape[1];
  if (pos.shape[1] !== dim || (seg && (seg.rank !== 2 || seg.shape[1] !== dim))) throw new ShapeError(`embedding tables must all have hidden size ${dim}`);
  if ((seg === undefined) !== (segIds === undefined)) throw new ShapeError('segment_ids and segment_embedding must be given together');
  const gamma = vec(need(inputs, 5, 'gamma'), dim, 'gamma')!;
  const beta = vec(need(inputs, 6, 'beta'), dim, 'beta')!;
  const wd = floats(word, 'word_embedding');
  const pd = floats(pos, 'position_embedding');
  const gd = seg ? floats(seg, 'segment_embedding') : undefined;
  const idv = readInts(ids, 'input_ids');
  const sv = segIds ? readInts(segIds, 'segment_ids') : undefined;
  const posIdsT = inputs[8];
  const pv = posIdsT ? readInts(posIdsT, 'position_ids') : undefined;
  if (pv && pv.length !== seq && pv.length !== batch * seq) throw new ShapeError(`position_ids must be [1, ${seq}] or [${batch}, ${seq}], got [${posIdsT!.shape.join(', ')}]`);
  const sum = new Float32Array(batch * seq * dim);
  const lookup = (table: Float32Array, rowsIn: number, id: number, what: string): number => {
    if (!(id >= 0 && id < rowsIn)) throw new ShapeError(`${what} ${id} is outside the table of ${rowsIn} rows`);
    return id * dim;
  };
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const t = b * seq + s;
      const w0 = lookup(wd, word.shape[0], idv[t], 'input id');
      const p0 = lookup(pd, pos.shape[0], pv ? (pv.length === seq ? pv[s] : pv[t]) : s, 'position');
      const g0 = gd && sv ? lookup(gd, seg!.shape[0], sv[t], 'segment id') : -1;
      for (let j = 0; j < dim; j++) sum[t * dim + j] = g0 >= 0 ? wd[w0 + j] + pd[p0 + j] + gd![g0 + j] : wd[w0 + j] + pd[p0 + j];
    }
  }
  const y = new Float32Array(sum.length);
  layerNormF32({ rows: batch * seq, dim, x: sum, scale: gamma, bias: beta, epsilon, out: y }, backend ? { backend } : undefined);
  const mask = inputs[7];
  const maskIndex = new Int32Array(batch);
  if (mask) {
    const mv = readInts(mask, 'mask');
    if (mv.length !== batch * seq) throw new ShapeError(`mask must be [${batch}, ${seq}], got [${mask.shape.join(', ')}]`);
    for (let b = 0; b < batch; b++) {
      let n = 0;
      for (let s = 0; s < seq; s++) if (mv[b * seq + s] !== 0) n++;
      maskIndex[b] = n;
    }
  }
  const dtype = word.dtype;
  return [fromFloats(dtype, [batch, seq, dim], y), Tensor.from('int32', [batch], maskIndex), fromFloats(dtype, [batch, seq, dim], sum)];
}

function inferSkip(_ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): InferredValue[] {
  const x = inputs[0];
  const stat = x?.shape ? { dtype: 'float32' as const, shape: [...x.shape.slice(0, -1), 1] } : { dtype: 'float32' as const };
  const same = { dtype: x?.dtype, ...(x?.shape ? { shape: x.shape } : {}) };
  return [same, stat, stat, same];
}

function inferEmbed(_ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): InferredValue[] {
  const ids = inputs[0]?.shape;
  const dim = inputs[2]?.shape?.[1];
  const dtype = inputs[2]?.dtype;
  const shape = ids && dim !== undefined ? { shape: [ids[0], ids[1], dim] } : {};
  return [{ dtype, ...shape }, { dtype: 'int32', ...(ids ? { shape: [ids[0]] } : {}) }, { dtype, ...shape }];
}

/** The com.microsoft layer normalization ops. */
export const msLayerNormOps: readonly OpDefinition[] = [
  msOp('SkipLayerNormalization', 1, (ctx) => {
    const eps = ctx.attrs.float('epsilon', 1e-12);
    return (inputs) => skipNorm(inputs, eps, false, ctx.backend);
  }, inferSkip),
  msOp('SkipSimplifiedLayerNormalization', 1, (ctx) => {
    const eps = ctx.attrs.float('epsilon', 1e-12);
    return (inputs) => skipNorm(inputs, eps, true, ctx.backend);
  }, inferSkip),
  msOp('EmbedLayerNormalization', 1, (ctx) => {
    const eps = ctx.attrs.float('epsilon', 1e-12);
    return (inputs) => embedLayerNorm(inputs, eps, ctx.backend);
  }, inferEmbed),
];
