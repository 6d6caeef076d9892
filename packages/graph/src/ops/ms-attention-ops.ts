// com.microsoft attention ops of optimized transformer exports, on the shared float attention core:
// - Attention: packed QKV projection (input · weights + bias), raw/index masks, past/present, attention_bias,
//   unidirectional; QAttention: the same with an exact uint8/int8 integer projection.
// - MultiHeadAttention: separate (3-D, or 4-D already split) Q/K/V with an optional packed bias, key padding mask,
//   attention_bias, past/present key and value, unidirectional.
// - GroupQueryAttention: grouped K/V heads, KV cache (seqlens_k / total_sequence_length), causal with optional
//   local window, rotary embedding from cos/sin caches, softcap.
// Masks are additive mask_filter_value (−10000 by default) as onnxruntime applies them; GQA masks with −∞.
import { matMul, matMulInteger, prepareGemmWeights, type GemmWeights, type KernelBackend } from '@qint/kernels';
import { DTypeError, ShapeError, Tensor } from '@qint/tensor';
import type { Dim } from '../ir';
import { concatPast, mergeHeads, scaledDotProductAttention, splitHeads } from './attention-core';
import { msOp } from './define-op';
import type { InferredValue, OpBuildContext, OpDefinition } from './op-definition';
import { applyRotary } from './rotary-embedding-ops';
import { fromFloats, need, readFloat16or32, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

type RowBias = (b: number, h: number, i: number, row: Float32Array, off: number) => void;

const floats = readFloat16or32;

/** Chains row biases (undefined ones dropped). */
function chain(...fs: (RowBias | undefined)[]): RowBias | undefined {
  const list = fs.filter((x): x is RowBias => x !== undefined);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return (b, h, i, row, off) => { for (const fn of list) fn(b, h, i, row, off); };
}

/**
 * The additive key mask of com.microsoft Attention's mask_index / MultiHeadAttention's key_padding_mask:
 * raw `[B, T]` or `[B, S, T]` (0 = masked), key lengths `[B]` (right padding), or end and start positions `[2B]`.
 */
function keyMask(mask: Tensor | undefined, batch: number, qLen: number, total: number, filter: number, what: string): RowBias | undefined {
  if (!mask) return undefined;
  if (mask.dtype !== 'int32' && mask.dtype !== 'int64' && mask.dtype !== 'bool') throw new DTypeError(`${what} must be int32, got ${mask.dtype}`);
  const m = readInts(mask.dtype === 'bool' ? Tensor.from('int32', mask.shape, Int32Array.from(mask.values() as ArrayLike<number>)) : mask, what);
  const s = mask.shape;
  if (s.length === 2 && s[0] === batch && s[1] === total) {
    return (b, _h, _i, row, off) => { for (let j = 0; j < total; j++) if (m[b * total + j] === 0) row[off + j] += filter; };
  }
  if (s.length === 3 && s[0] === batch && s[1] === qLen && s[2] === total) {
    return (b, _h, i, row, off) => { const r0 = (b * qLen + i) * total; for (let j = 0; j < total; j++) if (m[r0 + j] === 0) row[off + j] += filter; };
  }
  if (s.length === 1 && s[0] === batch) {
    return (b, _h, _i, row, off) => { for (let j = Math.max(0, m[b]); j < total; j++) row[off + j] += filter; };
  }
  if (s.length === 1 && s[0] === 2 * batch) {
    return (b, _h, _i, row, off) => {
      const end = m[b];
      const start = m[batch + b];
      for (let j = 0; j < total; j++) if (j >= end || j < start) row[off + j] += filter;
    };
  }
  throw new ShapeError(`${what} [${s.join(', ')}] is not a supported mask: [${batch}, ${total}], [${batch}, ${qLen}, ${total}], [${batch}] or [${2 * batch}]`);
}

/** attention_bias `[B or 1, N or 1, S, T]`, added to the scores. */
function attentionBias(t: Tensor | undefined, batch: number, heads: number, qLen: number, total: number): RowBias | undefined {
  if (!t) return undefined;
  const s = t.shape;
  if (s.length !== 4 || (s[0] !== 1 && s[0] !== batch) || (s[1] !== 1 && s[1] !== heads) || s[2] !== qLen || s[3] !== total) {
    throw new ShapeError(`attention_bias [${s.join(', ')}] must be [${batch} or 1, ${heads} or 1, ${qLen}, ${total}]`);
  }
  const d = floats(t, 'attention_bias');
  const bs = s[0] === 1 ? 0 : s[1] * qLen * total;
  const hs = s[1] === 1 ? 0 : qLen * total;
  return (b, h, i, row, off) => { const r0 = b * bs + h * hs + i * total; for (let j = 0; j < total; j++) row[off + j] += d[r0 + j]; };
}

/** Unidirectional (causal) masking: keys after `past + i` get `filter` added. */
function causalMask(past: number, total: number, filter: number): RowBias {
  return (_b, _h, i, row, off) => { for (let j = past + i + 1; j < total; j++) row[off + j] += filter; };
}

interface PackedAttentionAttrs {
  readonly heads: number;
  readonly qkvSizes?: readonly number[];
  readonly unidirectional: boolean;
  readonly scale?: number;
  readonly filter: number;
}

function packedAttrs(ctx: OpBuildContext): PackedAttentionAttrs {
  const at = ctx.attrs;
  const heads = at.int('num_heads') ?? at.fail('attribute "num_heads" is required');
  if (heads <= 0) at.fail(`num_heads must be positive, got ${heads}`);
  if (at.int('do_rotary', 0) !== 0) throw new UnsupportedVariant('do_rotary = 1 is not supported');
  if (at.int('past_present_share_buffer', 0) !== 0) throw new UnsupportedVariant('past_present_share_buffer = 1 is not supported');
  const sizes = at.ints('qkv_hidden_sizes');
  if (sizes && (sizes.length !== 3 || sizes.some((x) => x <= 0 || x % heads !== 0))) at.fail(`qkv_hidden_sizes must be 3 positive multiples of num_heads, got [${sizes.join(', ')}]`);
  const scale = at.float('scale');
  return {
    heads,
    ...(sizes ? { qkvSizes: sizes } : {}),
    unidirectional: at.int('unidirectional', 0) === 1,
    ...(scale !== undefined && scale !== 0 ? { scale } : {}),
    filter: at.float('mask_filter_value', -10000),
  };
}

/**
 * Attention on a projected `[B·S, Dq + Dk + Dv]` QKV: split, past, masks, attention, merge. Shared by Attention and
 * QAttention. Returns output `[B, S, Dv]` and present `[2, B, N, T, head]`.
 */
function attendPacked(qkv: Float32Array, batch: number, seq: number, sizes: readonly number[], a: PackedAttentionAttrs, mask: Tensor | undefined, past: Tensor | undefined, bias: Tensor | undefined, dtype: Tensor['dtype'], backend: KernelBackend | undefined): Tensor[] {
  const [dq, dk, dvAll] = sizes;
  const n = a.heads;
  const width = dq + dk + dvAll;
  const hq = dq / n;
  const hv = dvAll / n;
  if (dk !== dq) throw new ShapeError(`Q and K hidden sizes must be equal, got ${dq} and ${dk}`);
  const q = splitHeads(qkv, batch, seq, n, hq, width, 0);
  let k = splitHeads(qkv, batch, seq, n, hq, width, dq);
  let v = splitHeads(qkv, batch, seq, n, hv, width, dq + dk);
  let pastLen = 0;
  if (past) {
    const ps = past.shape;
    if (ps.length !== 5 || ps[0] !== 2 || ps[1] !== batch || ps[2] !== n || ps[4] !== hq || hq !== hv) throw new ShapeError(`past [${ps.join(', ')}] must be [2, ${batch}, ${n}, past_sequence_length, ${hq}] (and Q, K, V head sizes equal)`);
    pastLen = ps[3];
    const pd = floats(past, 'past');
    const half = batch * n * pastLen * hq;
    k = concatPast(pd.subarray(0, half), k, batch * n, pastLen, seq, hq);
    v = concatPast(pd.subarray(half, 2 * half), v, batch * n, pastLen, seq, hv);
  }
  const total = pastLen + seq;
  const addBias = chain(
    keyMask(mask, batch, seq, total, a.filter, 'mask_index'),
    a.unidirectional ? causalMask(pastLen, total, a.filter) : undefined,
    attentionBias(bias, batch, n, seq, total),
  );
  const { y } = scaledDotProductAttention({
    batch, qHeads: n, kvHeads: n, qLen: seq, kvLen: total, headSize: hq, vHeadSize: hv, q, k, v,
    scale: a.scale ?? 1 / Math.sqrt(hq), ...(addBias ? { addBias } : {}), ...(backend ? { backend } : {}),
  });
  const out = fromFloats(dtype, [batch, seq, dvAll], mergeHeads(y, batch, n, seq, hv));
  // present stacks K and V in one tensor, which needs equal head sizes (as onnxruntime requires with past).
  if (hq !== hv) return [out];
  const present = new Float32Array(k.length + v.length);
  present.set(k, 0);
  present.set(v, k.length);
  return [out, fromFloats(dtype, [2, batch, n, total, hq], present)];
}

function qkvSizes(a: PackedAttentionAttrs, width: number): readonly number[] {
  if (a.qkvSizes) {
    if (a.qkvSizes[0] + a.qkvSizes[1] + a.qkvSizes[2] !== width) throw new ShapeError(`qkv_hidden_sizes [${a.qkvSizes.join(', ')}] do not sum to the weights' ${width} columns`);
    return a.qkvSizes;
  }
  if (width % 3 !== 0 || (width / 3) % a.heads !== 0) throw new ShapeError(`the weights' ${width} columns must split into 3 equal parts divisible by num_heads ${a.heads}`);
  return [width / 3, width / 3, width / 3];
}

function addColumnBias(y: Float32Array, bias: Tensor | undefined, width: number): void {
  if (!bias) return;
  if (bias.size !== width) throw new ShapeError(`bias must hold ${width} values, got [${bias.shape.join(', ')}]`);
  const b = floats(bias, 'bias');
  for (let i = 0; i < y.length; i++) y[i] += b[i % width];
}

/** com.microsoft Attention. */
function msAttention(inputs: readonly (Tensor | undefined)[], a: PackedAttentionAttrs, backend: KernelBackend | undefined, packed: GemmWeights | undefined): Tensor[] {
  const x = need(inputs, 0, 'input');
  const w = need(inputs, 1, 'weights');
  if (x.rank !== 3) throw new ShapeError(`input must be [batch, sequence, hidden], got [${x.shape.join(', ')}]`);
  if (w.rank !== 2 || w.shape[0] !== x.shape[2]) throw new ShapeError(`weights [${w.shape.join(', ')}] must be [${x.shape[2]}, Q + K + V hidden]`);
  const [batch, seq, hin] = x.shape;
  const width = w.shape[1];
  const sizes = qkvSizes(a, width);
  const x2 = Tensor.from('float32', [batch * seq, hin], floats(x, 'input'));
  const w2 = packed ?? (w.dtype === 'float32' ? w : Tensor.from('float32', w.shape, floats(w, 'weights')));
  const qkv = matMul(x2, w2, backend ? { backend } : undefined).data as Float32Array;
  addColumnBias(qkv, inputs[2], width);
  return attendPacked(qkv, batch, seq, sizes, a, inputs[3], inputs[4], inputs[5], x.dtype, backend);
}

/** com.microsoft QAttention: `QKV = (input − izp)(weight − wzp) · input_scale · weight_scale + bias`, exact int32 product. */
function qAttention(inputs: readonly (Tensor | undefined)[], a: PackedAttentionAttrs, backend: KernelBackend | undefined): Tensor[] {
  const x = need(inputs, 0, 'input');
  const w = need(inputs, 1, 'weight');
  const bias = need(inputs, 2, 'bias');
  if (x.dtype !== 'uint8' && x.dtype !== 'int8') throw new DTypeError(`input must be uint8 or int8, got ${x.dtype}`);
  if (w.dtype !== 'uint8' && w.dtype !== 'int8') throw new DTypeError(`weight must be uint8 or int8, got ${w.dtype}`);
  if (x.rank !== 3) throw new ShapeError(`input must be [batch, sequence, hidden], got [${x.shape.join(', ')}]`);
  if (w.rank !== 2 || w.shape[0] !== x.shape[2]) throw new ShapeError(`weight [${w.shape.join(', ')}] must be [${x.shape[2]}, Q + K + V hidden]`);
  const [batch, seq, hin] = x.shape;
  const width = w.shape[1];
  const sizes = qkvSizes(a, width);
  const is = floats(need(inputs, 3, 'input_scale'), 'input_scale');
  const ws = floats(need(inputs, 4, 'weight_scale'), 'weight_scale');
  if (is.length !== 1) throw new ShapeError(`input_scale must be a scalar, got ${is.length} values`);
  if (ws.length !== 1 && ws.length !== width) throw new ShapeError(`weight_scale must be a scalar or hold ${width} values, got ${ws.length}`);
  const izp = inputs[6];
  const wzp = inputs[7];
  if (izp && izp.size !== 1) throw new ShapeError('input_zero_point must be a scalar');
  if (wzp && wzp.size !== 1 && wzp.size !== width) throw new ShapeError(`weight_zero_point must be a scalar or hold ${width} values`);
  const acc = matMulInteger(Tensor.from(x.dtype, [batch * seq, hin], x.data), w, izp, wzp, backend ? { backend } : undefined).data as Int32Array;
  const qkv = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) {
    const c = i % width;
    qkv[i] = Math.fround(acc[i] * Math.fround(is[0] * ws[ws.length === 1 ? 0 : c]));
  }
  addColumnBias(qkv, bias, width);
  return attendPacked(qkv, batch, seq, sizes, a, inputs[5], inputs[8], undefined, 'float32', backend);
}

function inferPacked(ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[], dtype: InferredValue['dtype']): InferredValue[] {
  const x = inputs[0]?.shape;
  const w = inputs[1]?.shape;
  const sizes = ctx.attrs.ints('qkv_hidden_sizes');
  const width = w?.[1];
  const dv = sizes ? sizes[2] : typeof width === 'number' ? width / 3 : undefined;
  const out: InferredValue = x && dv !== undefined ? { dtype, shape: [x[0], x[1], dv] } : { dtype };
  return [out, { dtype }];
}

interface MhaAttrs {
  readonly heads: number;
  readonly scale?: number;
  readonly filter: number;
  readonly unidirectional: boolean;
}

/** com.microsoft MultiHeadAttention (separate Q/K/V; K/V 3-D `[B, L, D]` or 4-D `[B, N, L, H]`). */
function multiHeadAttention(inputs: readonly (Tensor | undefined)[], a: MhaAttrs, backend: KernelBackend | undefined): Tensor[] {
  const qT = need(inputs, 0, 'query');
  const kT = inputs[1];
  const vT = inputs[2];
  if (!kT || !vT) throw new ShapeError('packed QKV / KV inputs (key or value omitted) are not supported; give query, key and value');
  if (qT.rank !== 3) throw new ShapeError(`query must be [batch, sequence, hidden], got [${qT.shape.join(', ')}]`);
  const [batch, seq, dq] = qT.shape;
  const n = a.heads;
  if (dq % n !== 0) throw new ShapeError(`query hidden size ${dq} does not divide by num_heads ${n}`);
  const hq = dq / n;
  const biasT = inputs[3];
  let bias: Float32Array | undefined;
  let kvLen: number;
  let dk: number;
  let dv: number;
  if (kT.rank === 3) {
    kvLen = kT.shape[1];
    dk = kT.shape[2];
    dv = vT.shape[2];
    if (vT.rank !== 3 || vT.shape[1] !== kvLen) throw new ShapeError(`value [${vT.shape.join(', ')}] does not match key [${kT.shape.join(', ')}]`);
  } else if (kT.rank === 4) {
    if (kT.shape[1] !== n || vT.rank !== 4 || vT.shape[1] !== n) throw new ShapeError(`4-D key/value must be [batch, ${n}, length, head]`);
    kvLen = kT.shape[2];
    dk = kT.shape[3] * n;
    dv = vT.shape[3] * n;
  } else throw new ShapeError(`key must be 3-D or 4-D, got [${kT.shape.join(', ')}]`);
  if (dk !== dq) throw new ShapeError(`key hidden size ${dk} differs from query's ${dq}`);
  const hv = dv / n;
  if (biasT) {
    if (biasT.size !== dq + dk + dv) throw new ShapeError(`bias must hold ${dq + dk + dv} values, got [${biasT.shape.join(', ')}]`);
    bias = floats(biasT, 'bias');
  }
  const withBias = (src: Float32Array, width: number, off: number): Float32Array => {
    if (!bias) return src;
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i] + bias[off + (i % width)];
    return out;
  };
  const q = splitHeads(withBias(floats(qT, 'query'), dq, 0), batch, seq, n, hq);
  let k: Float32Array;
  let v: Float32Array;
  if (kT.rank === 3) {
    k = splitHeads(withBias(floats(kT, 'key'), dk, dq), batch, kvLen, n, hq);
    v = splitHeads(withBias(floats(vT, 'value'), dv, dq + dk), batch, kvLen, n, hv);
  } else {
    if (bias) throw new ShapeError('bias with 4-D key/value is not supported');
    k = floats(kT, 'key');
    v = floats(vT, 'value');
  }
  const pk = inputs[6];
  const pv = inputs[7];
  let pastLen = 0;
  if (pk || pv) {
    if (!pk || !pv) throw new ShapeError('past_key and past_value must be given together');
    if (pk.rank !== 4 || pk.shape[0] !== batch || pk.shape[1] !== n || pk.shape[3] !== hq) throw new ShapeError(`past_key [${pk.shape.join(', ')}] must be [${batch}, ${n}, past, ${hq}]`);
    pastLen = pk.shape[2];
    if (pv.rank !== 4 || pv.shape[2] !== pastLen || pv.shape[3] !== hv) throw new ShapeError(`past_value [${pv.shape.join(', ')}] must be [${batch}, ${n}, ${pastLen}, ${hv}]`);
    k = concatPast(floats(pk, 'past_key'), k, batch * n, pastLen, kvLen, hq);
    v = concatPast(floats(pv, 'past_value'), v, batch * n, pastLen, kvLen, hv);
  }
  const total = pastLen + kvLen;
  const addBias = chain(
    keyMask(inputs[4], batch, seq, total, a.filter, 'key_padding_mask'),
    a.unidirectional ? causalMask(pastLen, total, a.filter) : undefined,
    attentionBias(inputs[5], batch, n, seq, total),
  );
  const { y } = scaledDotProductAttention({
    batch, qHeads: n, kvHeads: n, qLen: seq, kvLen: total, headSize: hq, vHeadSize: hv, q, k, v,
    scale: a.scale ?? 1 / Math.sqrt(hq), ...(addBias ? { addBias } : {}), ...(backend ? { backend } : {}),
  });
  const dtype = qT.dtype;
  return [fromFloats(dtype, [batch, seq, dv], mergeHeads(y, batch, n, seq, hv)), fromFloats(dtype, [batch, n, total, hq], k), fromFloats(dtype, [batch, n, total, hv], v)];
}

interface GqaAttrs {
  readonly heads: number;
  readonly kvHeads: number;
  readonly scale?: number;
  readonly softcap: number;
  readonly window: number;
  readonly rotary: boolean;
  readonly interleaved: boolean;
}

/** com.microsoft GroupQueryAttention with its KV cache (BNSH past/present) and optional rotary embedding. */
function groupQueryAttention(inputs: readonly (Tensor | undefined)[], a: GqaAttrs, backend: KernelBackend | undefined): Tensor[] {
  const qT = need(inputs, 0, 'query');
  if (qT.rank !== 3) throw new ShapeError(`query must be [batch, sequence, hidden], got [${qT.shape.join(', ')}]`);
  const [batch, seq, width] = qT.shape;
  const n = a.heads;
  const kvn = a.kvHeads;
  const kT = inputs[1];
  const vT = inputs[2];
  let hs: number;
  let qd: Float32Array, kd: Float32Array, vd: Float32Array;
  let rowQ: number, rowK: number, col0K: number, col0V: number;
  if (!kT) {
    if (vT) throw new ShapeError('value without key is not supported');
    if (width % (n + 2 * kvn) !== 0) throw new ShapeError(`packed query width ${width} must be (num_heads + 2·kv_num_heads) · head_size`);
    hs = width / (n + 2 * kvn);
    qd = kd = vd = floats(qT, 'query');
    rowQ = rowK = width;
    col0K = n * hs;
    col0V = (n + kvn) * hs;
  } else {
    if (!vT) throw new ShapeError('key without value is not supported');
    if (width % n !== 0) throw new ShapeError(`query hidden size ${width} does not divide by num_heads ${n}`);
    hs = width / n;
    if (kT.rank !== 3 || vT.rank !== 3 || kT.shape[2] !== kvn * hs || vT.shape[2] !== kvn * hs || kT.shape[1] !== seq || vT.shape[1] !== seq) {
      throw new ShapeError(`key/value must be [${batch}, ${seq}, ${kvn * hs}], got [${kT.shape.join(', ')}] and [${vT.shape.join(', ')}]`);
    }
    qd = floats(qT, 'query');
    kd = floats(kT, 'key');
    vd = floats(vT, 'value');
    rowQ = width;
    rowK = kvn * hs;
    col0K = 0;
    col0V = 0;
  }
  const seqlens = readInts(need(inputs, 5, 'seqlens_k'), 'seqlens_k');
  if (seqlens.length !== batch) throw new ShapeError(`seqlens_k must hold ${batch} values, got ${seqlens.length}`);
  const totalSeq = readInts(need(inputs, 6, 'total_sequence_length'), 'total_sequence_length')[0];
  const pk = inputs[3];
  const pv = inputs[4];
  const pastBuf = pk ? pk.shape[2] : 0;
  if (pk && (pk.rank !== 4 || pk.shape[0] !== batch || pk.shape[1] !== kvn || pk.shape[3] !== hs)) throw new ShapeError(`past_key [${pk.shape.join(', ')}] must be [${batch}, ${kvn}, past, ${hs}]`);
  if ((pk === undefined) !== (pv === undefined) || (pv && pv.shape.join() !== pk!.shape.join())) throw new ShapeError('past_key and past_value must be given together, with equal shapes');
  const first = totalSeq === seq && !pk;
  const presentLen = Math.max(totalSeq, pastBuf);
  const pastOf = (b: number): number => (first ? 0 : seqlens[b] + 1 - seq);
  const totalOf = (b: number): number => seqlens[b] + 1;
  for (let b = 0; b < batch; b++) {
    const p = pastOf(b);
    if (p < 0 || p > pastBuf && !first || p + seq > presentLen || totalOf(b) > presentLen) throw new ShapeError(`seqlens_k[${b}] = ${seqlens[b]} does not fit the sequence ${seq}, the past ${pastBuf} and total_sequence_length ${totalSeq}`);
  }
  // Q, K, V in [B, S, N, H] form (rotary works there), then into heads.
  const take = (src: Float32Array, row: number, col0: number, heads: number): Float32Array => {
    const out = new Float32Array(batch * seq * heads * hs);
    for (let t = 0; t < batch * seq; t++) out.set(src.subarray(t * row + col0, t * row + col0 + heads * hs), t * heads * hs);
    return out;
  };
  let qs = take(qd, rowQ, 0, n);
  let ks = take(kd, rowK, col0K, kvn);
  const vs = take(vd, rowK, col0V, kvn);
  if (a.rotary) {
    const cosT = need(inputs, 7, 'cos_cache');
    const sinT = need(inputs, 8, 'sin_cache');
    if (cosT.rank !== 2 || sinT.shape.join() !== cosT.shape.join()) throw new ShapeError(`cos_cache/sin_cache must be equal 2-D shapes, got [${cosT.shape.join(', ')}] and [${sinT.shape.join(', ')}]`);
    const half = cosT.shape[1];
    const rotaryDim = 2 * half;
    if (rotaryDim > hs) throw new ShapeError(`rotary dim ${rotaryDim} (2 · cos_cache's last dim) exceeds the head size ${hs}`);
    const posT = inputs[9];
    const pos = posT ? readInts(posT, 'position_ids') : undefined;
    if (pos && pos.length !== batch * seq) throw new ShapeError(`position_ids must be [${batch}, ${seq}]`);
    const cos = floats(cosT, 'cos_cache');
    const sin = floats(sinT, 'sin_cache');
    const row = (b: number, s: number): number => (pos ? pos[b * seq + s] : pastOf(b) + s) * half;
    qs = applyRotary(qs, { batch, seq, heads: n, headSize: hs, order: 'bsnh', rotaryDim, interleaved: a.interleaved }, cos, sin, row);
    ks = applyRotary(ks, { batch, seq, heads: kvn, headSize: hs, order: 'bsnh', rotaryDim, interleaved: a.interleaved }, cos, sin, row);
  }
  const q = splitHeads(qs, batch, seq, n, hs);
  const kNew = splitHeads(ks, batch, seq, kvn, hs);
  const vNew = splitHeads(vs, batch, seq, kvn, hs);
  const presentK = new Float32Array(batch * kvn * presentLen * hs);
  const presentV = new Float32Array(presentK.length);
  const pkd = pk ? floats(pk, 'past_key') : undefined;
  const pvd = pv ? floats(pv, 'past_value') : undefined;
  for (let b = 0; b < batch; b++) {
    const p = pastOf(b);
    for (let h = 0; h < kvn; h++) {
      const g = b * kvn + h;
      if (pkd && pvd && p > 0) {
        presentK.set(pkd.subarray(g * pastBuf * hs, (g * pastBuf + p) * hs), g * presentLen * hs);
        presentV.set(pvd.subarray(g * pastBuf * hs, (g * pastBuf + p) * hs), g * presentLen * hs);
      }
      presentK.set(kNew.subarray(g * seq * hs, (g + 1) * seq * hs), (g * presentLen + p) * hs);
      presentV.set(vNew.subarray(g * seq * hs, (g + 1) * seq * hs), (g * presentLen + p) * hs);
    }
  }
  const bias = attentionBias(inputs[10], batch, n, seq, presentLen);
  const mask: RowBias = (b, _h, i, row, off) => {
    const last = pastOf(b) + i;
    const end = Math.min(totalOf(b), last + 1);
    const start = a.window > 0 ? Math.max(0, last - a.window + 1) : 0;
    for (let j = 0; j < presentLen; j++) if (j < start || j >= end) row[off + j] = -Infinity;
  };
  const { y } = scaledDotProductAttention({
    batch, qHeads: n, kvHeads: kvn, qLen: seq, kvLen: presentLen, headSize: hs, vHeadSize: hs, q, k: presentK, v: presentV,
    scale: a.scale ?? 1 / Math.sqrt(hs), softcap: a.softcap, addBias: chain(bias, mask)!, ...(backend ? { backend } : {}),
  });
  const dtype = qT.dtype;
  return [fromFloats(dtype, [batch, seq, n * hs], mergeHeads(y, batch, n, seq, hs)), fromFloats(dtype, [batch, kvn, presentLen, hs], presentK), fromFloats(dtype, [batch, kvn, presentLen, hs], presentV)];
}

function inferMha(ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): InferredValue[] {
  const q = inputs[0];
  const v = inputs[2]?.shape;
  const dtype = q?.dtype;
  const n = ctx.attrs.int('num_heads');
  let dv: Dim | undefined;
  if (v?.length === 3) dv = v[2];
  else if (v?.length === 4 && typeof v[3] === 'number' && n) dv = v[3] * n;
  return [q?.shape && dv !== undefined ? { dtype, shape: [q.shape[0], q.shape[1], dv] } : { dtype }, { dtype }, { dtype }];
}

function inferGqa(_ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): InferredValue[] {
  const q = inputs[0];
  const dtype = q?.dtype;
  const ctxHeads = _ctx.attrs.int('num_heads');
  const kvHeads = _ctx.attrs.int('kv_num_heads');
  let out: InferredValue = { dtype };
  const s = q?.shape;
  if (s && inputs[1]) out = { dtype, shape: s };
  else if (s && typeof s[2] === 'number' && ctxHeads && kvHeads) out = { dtype, shape: [s[0], s[1], (s[2] / (ctxHeads + 2 * kvHeads)) * ctxHeads] };
  return [out, { dtype }, { dtype }];
}

/** The com.microsoft attention ops. */
export const msAttentionOps: readonly OpDefinition[] = [
  msOp('Attention', 1, (ctx) => {
    const a = packedAttrs(ctx);
    if ((ctx.node.inputs[6] ?? '') !== '') throw new UnsupportedVariant('the past_sequence_length input (shared past/present buffer) is not supported');
    // Constant float32 weights are packed once for the backend's GEMM, not on every run.
    const w = ctx.constant(1);
    const packed = w && w.dtype === 'float32' && w.rank === 2 ? prepareGemmWeights(w) : undefined;
    return (inputs) => msAttention(inputs, a, ctx.backend, packed);
  }, (ctx, inputs) => inferPacked(ctx, inputs, inputs[0]?.dtype)),
  msOp('QAttention', 1, (ctx) => {
    const a = packedAttrs(ctx);
    return (inputs) => qAttention(inputs, a, ctx.backend);
  }, (ctx, inputs) => inferPacked(ctx, inputs, 'float32')),
  msOp('MultiHeadAttention', 1, (ctx) => {
    const at = ctx.attrs;
    const heads = at.int('num_heads') ?? at.fail('attribute "num_heads" is required');
    if (heads <= 0) at.fail(`num_heads must be positive, got ${heads}`);
    for (const i of [8, 9]) if ((ctx.node.inputs[i] ?? '') !== '') throw new UnsupportedVariant(`input ${i} (${i === 8 ? 'past_sequence_length' : 'cache_indirection'}) is not supported`);
    if ((ctx.node.outputs[3] ?? '') !== '') throw new UnsupportedVariant('the qk output is not supported');
    const scale = at.float('scale');
    const a: MhaAttrs = { heads, ...(scale !== undefined && scale !== 0 ? { scale } : {}), filter: at.float('mask_filter_value', -10000), unidirectional: at.int('unidirectional', 0) === 1 };
    return (inputs) => multiHeadAttention(inputs, a, ctx.backend);
  }, inferMha),
  msOp('GroupQueryAttention', 1, (ctx) => {
    const at = ctx.attrs;
    const heads = at.int('num_heads') ?? at.fail('attribute "num_heads" is required');
    const kvHeads = at.int('kv_num_heads') ?? at.fail('attribute "kv_num_heads" is required');
    if (heads <= 0 || kvHeads <= 0 || heads % kvHeads !== 0) at.fail(`num_heads ${heads} must be a positive multiple of kv_num_heads ${kvHeads}`);
    if (at.int('smooth_softmax', 0) !== 0) throw new UnsupportedVariant('smooth_softmax = 1 is not supported');
    if (at.int('qk_output', 0) !== 0) throw new UnsupportedVariant('qk_output is not supported');
    if ((ctx.node.inputs[11] ?? '') !== '') throw new UnsupportedVariant('the head_sink input is not supported');
    const scale = at.float('scale');
    const a: GqaAttrs = {
      heads, kvHeads, ...(scale !== undefined && scale !== 0 ? { scale } : {}),
      softcap: at.float('softcap', 0), window: at.int('local_window_size', -1),
      rotary: at.int('do_rotary', 0) === 1, interleaved: at.int('rotary_interleaved', 0) === 1,
    };
    return (inputs) => groupQueryAttention(inputs, a, ctx.backend);
  }, inferGqa),
];
