// ai.onnx Attention (opset 23; opset 24 adds nonpad_kv_seqlen): 3-D or 4-D Q/K/V, grouped-query K/V heads,
// past/present key and value, boolean or additive masks (broadcast, and shorter than the total length: padded as
// masked), causal masking offset by the past length, scale, softcap and the four qk_matmul_output modes, as the ONNX
// reference defines them. float32 and float16 (computed in float32).
import { DTypeError, ShapeError, type Tensor } from '@qint/tensor';
import type { Dim } from '../ir';
import { concatPast, mergeHeads, scaledDotProductAttention, splitHeads, type AttentionScoresOut } from './attention-core';
import { onnxOp } from './define-op';
import type { InferredValue, OpDefinition } from './op-definition';
import { fromFloats, need, readFloat16or32, readFloats, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

interface AttentionAttrs {
  readonly causal: boolean;
  readonly qHeads?: number;
  readonly kvHeads?: number;
  readonly scale?: number;
  readonly softcap: number;
  readonly keep: AttentionScoresOut;
}

const floatData = readFloat16or32;

/** The additive bias of score row (b, h, i) from attn_mask, causal masking and nonpad_kv_seqlen. */
function biasFunction(
  mask: Tensor | undefined, nonpad: number[] | undefined, causal: boolean, past: number,
  batch: number, qHeads: number, qLen: number, total: number,
): ((b: number, h: number, i: number, row: Float32Array, off: number) => void) | undefined {
  if (!mask && !nonpad && !causal) return undefined;
  let maskRow: ((b: number, h: number, i: number) => number) | undefined;
  let maskLen = 0;
  let mvals: Float32Array | undefined;
  const isBool = mask?.dtype === 'bool';
  if (mask) {
    if (mask.rank < 1 || mask.rank > 4) throw new ShapeError(`attn_mask must have rank 1 to 4, got [${mask.shape.join(', ')}]`);
    if (!isBool && mask.dtype !== 'float32' && mask.dtype !== 'float16') throw new DTypeError(`attn_mask must be bool or float, got ${mask.dtype}`);
    const dims = [1, 1, 1, 1];
    for (let j = 0; j < mask.rank; j++) dims[4 - mask.rank + j] = mask.shape[j];
    maskLen = dims[3];
    const want = [batch, qHeads, qLen];
    for (let j = 0; j < 3; j++) if (dims[j] !== 1 && dims[j] !== want[j]) throw new ShapeError(`attn_mask [${mask.shape.join(', ')}] does not broadcast to [${batch}, ${qHeads}, ${qLen}, ${total}]`);
    if (maskLen > total) throw new ShapeError(`attn_mask's last dim ${maskLen} exceeds the total sequence length ${total}`);
    const st2 = maskLen;
    const st1 = dims[2] * st2;
    const st0 = dims[1] * st1;
    const [d0, d1, d2] = dims;
    maskRow = (b, h, i) => (d0 === 1 ? 0 : b * st0) + (d1 === 1 ? 0 : h * st1) + (d2 === 1 ? 0 : i * st2);
    mvals = isBool ? Float32Array.from(mask.values() as ArrayLike<number>) : readFloats(mask);
  }
  const causalOffset = (b: number): number => (past > 0 || !nonpad ? past : nonpad[b] - qLen);
  return (b, h, i, row, off) => {
    if (maskRow && mvals) {
      const m0 = maskRow(b, h, i);
      if (isBool) for (let j = 0; j < maskLen; j++) { if (mvals[m0 + j] === 0) row[off + j] = -Infinity; }
      else for (let j = 0; j < maskLen; j++) row[off + j] += mvals[m0 + j];
      for (let j = maskLen; j < total; j++) row[off + j] = -Infinity;
    }
    if (causal) {
      const last = i + causalOffset(b);
      for (let j = Math.max(0, last + 1); j < total; j++) row[off + j] = -Infinity;
    }
    if (nonpad) for (let j = Math.max(0, nonpad[b]); j < total; j++) row[off + j] = -Infinity;
  };
}

function runAttention(inputs: readonly (Tensor | undefined)[], a: AttentionAttrs, wantPresent: boolean, backend: import('@qint/kernels').KernelBackend | undefined): Tensor[] {
  const qT = need(inputs, 0, 'Q');
  const kTn = need(inputs, 1, 'K');
  const vT = need(inputs, 2, 'V');
  const rank = qT.rank;
  if ((rank !== 3 && rank !== 4) || kTn.rank !== rank || vT.rank !== rank) throw new ShapeError(`Q, K and V must all be 3-D or all 4-D, got [${qT.shape.join(', ')}], [${kTn.shape.join(', ')}], [${vT.shape.join(', ')}]`);
  const batch = qT.shape[0];
  let q: Float32Array, k: Float32Array, v: Float32Array;
  let qHeads: number, kvHeads: number, qLen: number, kvLen: number, d: number, dv: number;
  if (rank === 3) {
    qHeads = a.qHeads!;
    kvHeads = a.kvHeads!;
    qLen = qT.shape[1];
    kvLen = kTn.shape[1];
    if (qT.shape[2] % qHeads !== 0 || kTn.shape[2] % kvHeads !== 0 || vT.shape[2] % kvHeads !== 0) {
      throw new ShapeError(`hidden sizes ${qT.shape[2]}/${kTn.shape[2]}/${vT.shape[2]} must divide by q_num_heads ${qHeads} / kv_num_heads ${kvHeads}`);
    }
    d = qT.shape[2] / qHeads;
    dv = vT.shape[2] / kvHeads;
    if (kTn.shape[2] / kvHeads !== d) throw new ShapeError(`K's head size ${kTn.shape[2] / kvHeads} differs from Q's ${d}`);
    q = splitHeads(floatData(qT, 'Q'), batch, qLen, qHeads, d);
    k = splitHeads(floatData(kTn, 'K'), batch, kvLen, kvHeads, d);
    v = splitHeads(floatData(vT, 'V'), batch, kvLen, kvHeads, dv);
  } else {
    [, qHeads, qLen, d] = qT.shape;
    [, kvHeads, kvLen] = kTn.shape;
    dv = vT.shape[3];
    if (kTn.shape[3] !== d) throw new ShapeError(`K's head size ${kTn.shape[3]} differs from Q's ${d}`);
    if (vT.shape[1] !== kvHeads || vT.shape[2] !== kvLen) throw new ShapeError(`V [${vT.shape.join(', ')}] does not match K [${kTn.shape.join(', ')}]`);
    q = floatData(qT, 'Q');
    k = floatData(kTn, 'K');
    v = floatData(vT, 'V');
  }
  if (kTn.shape[0] !== batch || vT.shape[0] !== batch) throw new ShapeError(`Q, K and V must have the same batch size`);
  const pastK = inputs[4];
  const pastV = inputs[5];
  if ((pastK === undefined) !== (pastV === undefined)) throw new ShapeError('past_key and past_value must be given together');
  let past = 0;
  if (pastK && pastV) {
    past = pastK.shape[2];
    if (pastK.rank !== 4 || pastK.shape[0] !== batch || pastK.shape[1] !== kvHeads || pastK.shape[3] !== d) throw new ShapeError(`past_key [${pastK.shape.join(', ')}] must be [${batch}, ${kvHeads}, past, ${d}]`);
    if (pastV.rank !== 4 || pastV.shape[0] !== batch || pastV.shape[1] !== kvHeads || pastV.shape[2] !== past || pastV.shape[3] !== dv) throw new ShapeError(`past_value [${pastV.shape.join(', ')}] must be [${batch}, ${kvHeads}, ${past}, ${dv}]`);
    k = concatPast(floatData(pastK, 'past_key'), k, batch * kvHeads, past, kvLen, d);
    v = concatPast(floatData(pastV, 'past_value'), v, batch * kvHeads, past, kvLen, dv);
  }
  const total = past + kvLen;
  const nonpadT = inputs[6];
  let nonpad: number[] | undefined;
  if (nonpadT) {
    nonpad = readInts(nonpadT, 'nonpad_kv_seqlen');
    if (nonpad.length !== batch) throw new ShapeError(`nonpad_kv_seqlen must have batch_size = ${batch} values, got ${nonpad.length}`);
  }
  const addBias = biasFunction(inputs[3], nonpad, a.causal, past, batch, qHeads, qLen, total);
  const { y, scores } = scaledDotProductAttention({
    batch, qHeads, kvHeads, qLen, kvLen: total, headSize: d, vHeadSize: dv, q, k, v,
    scale: a.scale ?? 1 / Math.sqrt(d),
    softcap: a.softcap,
    ...(addBias ? { addBias } : {}),
    keepScores: a.keep,
    ...(backend ? { backend } : {}),
  });
  const dtype = qT.dtype;
  const outY = rank === 3 ? fromFloats(dtype, [batch, qLen, qHeads * dv], mergeHeads(y, batch, qHeads, qLen, dv)) : fromFloats(dtype, [batch, qHeads, qLen, dv], y);
  const outs: Tensor[] = [outY];
  if (wantPresent || scores) {
    outs.push(fromFloats(dtype, [batch, kvHeads, total, d], k), fromFloats(dtype, [batch, kvHeads, total, dv], v));
  }
  if (scores) outs.push(fromFloats(dtype, [batch, qHeads, qLen, total], scores));
  return outs;
}

function attentionAttrs(ctx: import('./op-definition').OpBuildContext): AttentionAttrs {
  const at = ctx.attrs;
  const mode = at.int('qk_matmul_output_mode', 0);
  if (mode < 0 || mode > 3) at.fail(`qk_matmul_output_mode must be 0, 1, 2 or 3, got ${mode}`);
  const wantScores = (ctx.node.outputs[3] ?? '') !== '';
  // As the ONNX reference computes it: modes 0 and 1 give the (softcapped) scores, 2 adds the mask, 3 the softmax.
  const keep: AttentionScoresOut = !wantScores ? 'none' : mode === 3 ? 'softmax' : mode === 2 ? 'biased' : 'capped';
  const qHeads = at.int('q_num_heads');
  const kvHeads = at.int('kv_num_heads');
  if (qHeads !== undefined && qHeads <= 0) at.fail(`q_num_heads must be positive, got ${qHeads}`);
  if (kvHeads !== undefined && kvHeads <= 0) at.fail(`kv_num_heads must be positive, got ${kvHeads}`);
  const scale = at.float('scale');
  return {
    causal: at.int('is_causal', 0) === 1,
    ...(qHeads !== undefined ? { qHeads } : {}),
    ...(kvHeads !== undefined ? { kvHeads } : {}),
    ...(scale !== undefined ? { scale } : {}),
    softcap: at.float('softcap', 0),
    keep,
  };
}

function inferAttention(ctx: import('./op-definition').OpBuildContext, inputs: readonly (InferredValue | undefined)[]): (InferredValue | undefined)[] {
  const [q, k, v] = inputs;
  const dtype = q?.dtype;
  const qs = q?.shape;
  const ks = k?.shape;
  const vs = v?.shape;
  const past = inputs[4]?.shape;
  const qh = ctx.attrs.int('q_num_heads');
  const kvh = ctx.attrs.int('kv_num_heads');
  const add = (x: Dim | undefined, y: Dim | undefined): Dim | undefined => (typeof x === 'number' && typeof y === 'number' ? x + y : undefined);
  const div = (x: Dim | undefined, n: number | undefined): Dim | undefined => (typeof x === 'number' && n ? x / n : undefined);
  let y: Dim[] | undefined;
  let pk: (Dim | undefined)[] | undefined;
  let pv: (Dim | undefined)[] | undefined;
  let qk: (Dim | undefined)[] | undefined;
  if (qs && ks && vs && qs.length === 4) {
    const total = past ? add(past[2], ks[2]) : ks[2];
    y = [qs[0], qs[1], qs[2], vs[3]];
    pk = [ks[0], ks[1], total, ks[3]];
    pv = [vs[0], vs[1], total, vs[3]];
    qk = [qs[0], qs[1], qs[2], total];
  } else if (qs && ks && vs && qs.length === 3 && qh && kvh) {
    const total = past ? add(past[2], ks[1]) : ks[1];
    const dv = div(vs[2], kvh);
    const yd = typeof dv === 'number' ? dv * qh : undefined;
    if (yd !== undefined) y = [qs[0], qs[1], yd];
    pk = [ks[0], kvh, total, div(ks[2], kvh)];
    pv = [vs[0], kvh, total, dv];
    qk = [qs[0], qh, qs[1], total];
  }
  const known = (s: (Dim | undefined)[] | undefined): Dim[] | undefined => (s && s.every((x) => x !== undefined) ? (s as Dim[]) : undefined);
  const out = (s: (Dim | undefined)[] | undefined): InferredValue => { const sh = known(s); return sh ? { dtype, shape: sh } : { dtype }; };
  return [y ? { dtype, shape: y } : { dtype }, out(pk), out(pv), out(qk)];
}

function buildAttention(ctx: import('./op-definition').OpBuildContext): import('./op-definition').OpKernel {
  const a = attentionAttrs(ctx);
  const outs = ctx.node.outputs;
  const wantPresent = (outs[1] ?? '') !== '' || (outs[2] ?? '') !== '';
  if (ctx.node.inputs.length > 7) throw new UnsupportedVariant(`Attention takes at most 7 inputs, got ${ctx.node.inputs.length}`);
  if (ctx.opset < 24 && (ctx.node.inputs[6] ?? '') !== '') ctx.attrs.fail('nonpad_kv_seqlen is an opset-24 input');
  const backend = ctx.backend;
  return (inputs) => {
    const q = inputs[0];
    if (q && q.rank === 3 && (a.qHeads === undefined || a.kvHeads === undefined)) throw new ShapeError('3-D inputs need the q_num_heads and kv_num_heads attributes');
    return runAttention(inputs, a, wantPresent, backend);
  };
}

/** ai.onnx Attention. */
export const onnxAttentionOps: readonly OpDefinition[] = [onnxOp('Attention', 23, buildAttention, inferAttention)];
