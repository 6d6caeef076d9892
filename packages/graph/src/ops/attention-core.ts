// The float scaled-dot-product attention every attention op here reduces to (ai.onnx Attention, com.microsoft
// Attention / MultiHeadAttention / GroupQueryAttention / QAttention): heads already split into contiguous
// [batch, heads, seq, depth] blocks, grouped-query sharing of K/V heads, an optional softcap, an additive bias per
// score row (masks, padding, causal), a softmax, and the product with V. The two products run as batched float32
// GEMMs and the softmax as the backend's row softmax, so the WASM backend runs the heavy parts in SIMD.
import { gemmF32Batched, softmaxF32, type KernelBackend } from '@qint/kernels';
import { ShapeError } from '@qint/tensor';

/** Which intermediate score tensor to hand back besides Y (ai.onnx Attention's `qk_matmul_output`). */
export type AttentionScoresOut = 'none' | 'capped' | 'biased' | 'softmax';

/**
 * One attention problem. K and V hold `kvHeads` heads; query head `h` reads K/V head `floor(h / (qHeads / kvHeads))`
 * (grouped-query attention; `qHeads` must be a multiple of `kvHeads`).
 */
export interface AttentionProblem {
  readonly batch: number;
  readonly qHeads: number;
  readonly kvHeads: number;
  /** Query rows per head. */
  readonly qLen: number;
  /** Key/value rows per head (past included). */
  readonly kvLen: number;
  readonly headSize: number;
  readonly vHeadSize: number;
  /** `[batch, qHeads, qLen, headSize]`. */
  readonly q: Float32Array;
  /** `[batch, kvHeads, kvLen, headSize]`. */
  readonly k: Float32Array;
  /** `[batch, kvHeads, kvLen, vHeadSize]`. */
  readonly v: Float32Array;
  /** Multiplies every score `q·k`. */
  readonly scale: number;
  /** `> 0`: scores become `softcap · tanh(score / softcap)` before the bias is added. */
  readonly softcap?: number;
  /**
   * Adds the mask/bias of score row `(b, h, i)` to `row[off .. off + kvLen)` in place (called once per row, after
   * the softcap, before the softmax).
   */
  readonly addBias?: (b: number, h: number, i: number, row: Float32Array, off: number) => void;
  /** Which scores to return as `scores` (default none). */
  readonly keepScores?: AttentionScoresOut;
  readonly backend?: KernelBackend;
}

/** Y `[batch, qHeads, qLen, vHeadSize]` and, when asked, the scores `[batch, qHeads, qLen, kvLen]`. */
export interface AttentionResult {
  readonly y: Float32Array;
  readonly scores?: Float32Array;
}

/**
 * Runs {@link AttentionProblem}: `Y = softmax(bias(softcap(scale · Q Kᵀ))) · V` per head.
 *
 * @param p - the problem
 * @returns Y and the requested scores
 * @throws {@link ShapeError} when the head counts or array lengths do not fit
 * @example
 * ```ts
 * const { y } = scaledDotProductAttention({ batch: 1, qHeads: 1, kvHeads: 1, qLen: 1, kvLen: 2, headSize: 1, vHeadSize: 1,
 *   q: new Float32Array([0]), k: new Float32Array([1, 2]), v: new Float32Array([3, 5]), scale: 1 }); // y = [4]
 * ```
 */
export function scaledDotProductAttention(p: AttentionProblem): AttentionResult {
  const { batch, qHeads, kvHeads, qLen, kvLen, headSize: d, vHeadSize: dv } = p;
  if (kvHeads <= 0 || qHeads % kvHeads !== 0) throw new ShapeError(`the query head count ${qHeads} must be a positive multiple of the key/value head count ${kvHeads}`);
  if (p.q.length !== batch * qHeads * qLen * d || p.k.length !== batch * kvHeads * kvLen * d || p.v.length !== batch * kvHeads * kvLen * dv) {
    throw new ShapeError(`attention operands do not match batch ${batch}, heads ${qHeads}/${kvHeads}, lengths ${qLen}/${kvLen}, head sizes ${d}/${dv}`);
  }
  const group = qHeads / kvHeads;
  const groups = batch * kvHeads;
  const opts = p.backend ? { backend: p.backend } : undefined;
  // Kᵀ per K/V head: [groups, d, kvLen]. The query heads sharing a K/V head are contiguous rows of Q, so one batched
  // GEMM with m = group · qLen covers them all without repeating K.
  const kT = new Float32Array(groups * d * kvLen);
  for (let g = 0; g < groups; g++) {
    const src = g * kvLen * d;
    const dst = g * d * kvLen;
    for (let t = 0; t < kvLen; t++) for (let j = 0; j < d; j++) kT[dst + j * kvLen + t] = p.k[src + t * d + j];
  }
  const rows = batch * qHeads * qLen;
  const s = new Float32Array(rows * kvLen);
  gemmF32Batched({ batch: groups, m: group * qLen, n: kvLen, k: d, a: p.q, b: kT, out: s }, opts);
  const scale = Math.fround(p.scale);
  if (scale !== 1) for (let i = 0; i < s.length; i++) s[i] *= scale;
  const cap = p.softcap && p.softcap > 0 ? Math.fround(p.softcap) : 0;
  if (cap > 0) for (let i = 0; i < s.length; i++) s[i] = Math.fround(Math.tanh(Math.fround(s[i] / cap)) * cap);
  const keep = p.keepScores ?? 'none';
  let scores: Float32Array | undefined = keep === 'capped' ? s.slice() : undefined;
  if (p.addBias) {
    let r = 0;
    for (let b = 0; b < batch; b++) for (let h = 0; h < qHeads; h++) for (let i = 0; i < qLen; i++, r++) p.addBias(b, h, i, s, r * kvLen);
  }
  if (keep === 'biased') scores = s.slice();
  softmaxF32({ rows, dim: kvLen, x: s, out: s }, opts);
  if (keep === 'softmax') scores = s.slice();
  const y = new Float32Array(rows * dv);
  gemmF32Batched({ batch: groups, m: group * qLen, n: dv, k: kvLen, a: s, b: p.v, out: y }, opts);
  return scores ? { y, scores } : { y };
}

/**
 * Splits `[batch, seq, heads · depth]` (the 3-D layout) into contiguous `[batch, heads, seq, depth]` blocks, reading
 * `heads · depth` values per row starting at column `col0` of rows of `rowStride` values (packed QKV inputs).
 */
export function splitHeads(src: Float32Array, batch: number, seq: number, heads: number, depth: number, rowStride = heads * depth, col0 = 0): Float32Array {
  const out = new Float32Array(batch * heads * seq * depth);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < seq; t++) {
        const base = (b * seq + t) * rowStride + col0 + h * depth;
        for (let j = 0; j < depth; j++) out[o++] = src[base + j];
      }
    }
  }
  return out;
}

/** The inverse of {@link splitHeads}: `[batch, heads, seq, depth]` → `[batch, seq, heads · depth]`. */
export function mergeHeads(src: Float32Array, batch: number, heads: number, seq: number, depth: number): Float32Array {
  const out = new Float32Array(src.length);
  let i = 0;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < seq; t++) {
        const base = ((b * seq + t) * heads + h) * depth;
        for (let j = 0; j < depth; j++) out[base + j] = src[i++];
      }
    }
  }
  return out;
}

/**
 * Concatenates past and new K (or V) along the sequence: `[batch, heads, past, depth]` + `[batch, heads, seq, depth]`.
 */
export function concatPast(past: Float32Array | undefined, cur: Float32Array, batchHeads: number, pastLen: number, seq: number, depth: number): Float32Array {
  if (!past || pastLen === 0) return cur;
  const total = pastLen + seq;
  const out = new Float32Array(batchHeads * total * depth);
  for (let g = 0; g < batchHeads; g++) {
    out.set(past.subarray(g * pastLen * depth, (g + 1) * pastLen * depth), g * total * depth);
    out.set(cur.subarray(g * seq * depth, (g + 1) * seq * depth), (g * total + pastLen) * depth);
  }
  return out;
}
