// Rotary position embedding: ai.onnx RotaryEmbedding (opset 23; inputs X, cos_cache, sin_cache[, position_ids]) and
// com.microsoft RotaryEmbedding (inputs X, position_ids, cos_cache, sin_cache). The first `rotary_embedding_dim`
// values of each head rotate as pairs — halves (x[i], x[i + r/2]) or, interleaved, neighbours (x[2i], x[2i + 1]) —
// by the angle whose cosine and sine the caches hold for the token's position; the rest pass through.
import { ShapeError, type Tensor } from '@qint/tensor';
import { msOp, onnxOp } from './define-op';
import type { InferredValue, OpBuildContext, OpDefinition } from './op-definition';
import { fromFloats, need, readFloat16or32, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

const f = Math.fround;

/** Where one head row of a token lives and which cache row rotates it. */
export interface RotaryLayout {
  readonly batch: number;
  readonly seq: number;
  readonly heads: number;
  readonly headSize: number;
  /** `'bnsh'`: `[batch, heads, seq, head]`; `'bsnh'`: `[batch, seq, heads · head]` (the 3-D layout). */
  readonly order: 'bnsh' | 'bsnh';
  /** Number of rotated values per head (even, ≤ headSize). */
  readonly rotaryDim: number;
  readonly interleaved: boolean;
}

/**
 * Rotates `x` in place of a copy: returns the rotated values. `cacheRow(b, s)` gives the offset of the `rotaryDim / 2`
 * cosines (and sines) of token `(b, s)` in `cos` / `sin`.
 */
export function applyRotary(x: Float32Array, l: RotaryLayout, cos: Float32Array, sin: Float32Array, cacheRow: (b: number, s: number) => number): Float32Array {
  const out = x.slice();
  const half = l.rotaryDim / 2;
  for (let b = 0; b < l.batch; b++) {
    for (let s = 0; s < l.seq; s++) {
      const c0 = cacheRow(b, s);
      if (c0 < 0 || c0 + half > cos.length || c0 + half > sin.length) throw new ShapeError(`position of token (${b}, ${s}) is outside the cos/sin caches`);
      for (let h = 0; h < l.heads; h++) {
        const base = l.order === 'bnsh' ? ((b * l.heads + h) * l.seq + s) * l.headSize : ((b * l.seq + s) * l.heads + h) * l.headSize;
        for (let i = 0; i < half; i++) {
          const i1 = l.interleaved ? base + 2 * i : base + i;
          const i2 = l.interleaved ? i1 + 1 : i1 + half;
          const c = cos[c0 + i];
          const sn = sin[c0 + i];
          const x1 = x[i1];
          const x2 = x[i2];
          out[i1] = f(f(x1 * c) - f(x2 * sn));
          out[i2] = f(f(x2 * c) + f(x1 * sn));
        }
      }
    }
  }
  return out;
}

const floatIn = readFloat16or32;

interface RotaryAttrs {
  readonly interleaved: boolean;
  readonly numHeads: number;
  readonly rotaryDim: number;
}

function rotaryAttrs(ctx: OpBuildContext): RotaryAttrs {
  const at = ctx.attrs;
  const numHeads = at.int('num_heads', 0);
  const rotaryDim = at.int('rotary_embedding_dim', 0);
  if (numHeads < 0) at.fail(`num_heads must be ≥ 0, got ${numHeads}`);
  if (rotaryDim < 0 || rotaryDim % 2 !== 0) at.fail(`rotary_embedding_dim must be even and ≥ 0, got ${rotaryDim}`);
  return { interleaved: at.int('interleaved', 0) === 1, numHeads, rotaryDim };
}

function layoutOf(x: Tensor, a: RotaryAttrs): RotaryLayout {
  if (x.rank === 4) {
    const [batch, heads, seq, headSize] = x.shape;
    const rotaryDim = a.rotaryDim || headSize;
    if (rotaryDim > headSize) throw new ShapeError(`rotary_embedding_dim ${rotaryDim} exceeds the head size ${headSize}`);
    return { batch, seq, heads, headSize, order: 'bnsh', rotaryDim, interleaved: a.interleaved };
  }
  if (x.rank !== 3) throw new ShapeError(`input must be 3-D or 4-D, got [${x.shape.join(', ')}]`);
  const [batch, seq, hidden] = x.shape;
  let heads = a.numHeads;
  if (heads === 0) {
    if (!a.rotaryDim) throw new ShapeError('a 3-D input needs num_heads (or rotary_embedding_dim)');
    heads = hidden / a.rotaryDim;
  }
  if (!Number.isInteger(hidden / heads)) throw new ShapeError(`hidden size ${hidden} does not divide by num_heads ${heads}`);
  const headSize = hidden / heads;
  const rotaryDim = a.rotaryDim || headSize;
  if (rotaryDim > headSize) throw new ShapeError(`rotary_embedding_dim ${rotaryDim} exceeds the head size ${headSize}`);
  return { batch, seq, heads, headSize, order: 'bsnh', rotaryDim, interleaved: a.interleaved };
}

/** ai.onnx RotaryEmbedding: caches `[max_pos, r/2]` indexed by position_ids `[batch, seq]`, or `[batch, seq, r/2]`. */
function onnxRotary(inputs: readonly (Tensor | undefined)[], a: RotaryAttrs): Tensor {
  const x = need(inputs, 0, 'X');
  const cosT = need(inputs, 1, 'cos_cache');
  const sinT = need(inputs, 2, 'sin_cache');
  const pos = inputs[3];
  const l = layoutOf(x, a);
  const half = l.rotaryDim / 2;
  if (cosT.shape[cosT.rank - 1] !== half || sinT.shape[sinT.rank - 1] !== half) throw new ShapeError(`cos_cache/sin_cache must end in rotary_embedding_dim / 2 = ${half}, got [${cosT.shape.join(', ')}] and [${sinT.shape.join(', ')}]`);
  let row: (b: number, s: number) => number;
  if (pos) {
    const p = readInts(pos, 'position_ids');
    if (p.length !== l.batch * l.seq) throw new ShapeError(`position_ids must be [${l.batch}, ${l.seq}], got [${pos.shape.join(', ')}]`);
    row = (b, s) => p[b * l.seq + s] * half;
  } else {
    if (cosT.rank !== 3 || cosT.shape[0] !== l.batch || cosT.shape[1] !== l.seq) throw new ShapeError(`without position_ids the caches must be [${l.batch}, ${l.seq}, ${half}], got [${cosT.shape.join(', ')}]`);
    row = (b, s) => (b * l.seq + s) * half;
  }
  return fromFloats(x.dtype, x.shape, applyRotary(floatIn(x, 'X'), l, floatIn(cosT, 'cos_cache'), floatIn(sinT, 'sin_cache'), row));
}

/** com.microsoft RotaryEmbedding: position_ids `[batch, seq]`, or one value (the offset of token 0). */
export function msRotary(x: Tensor, pos: Tensor, cosT: Tensor, sinT: Tensor, a: RotaryAttrs): Tensor {
  const l = layoutOf(x, a);
  const half = l.rotaryDim / 2;
  if (cosT.rank !== 2 || cosT.shape[1] !== half || sinT.rank !== 2 || sinT.shape[1] !== half) throw new ShapeError(`cos_cache/sin_cache must be [max_sequence_length, ${half}], got [${cosT.shape.join(', ')}] and [${sinT.shape.join(', ')}]`);
  const p = readInts(pos, 'position_ids');
  let row: (b: number, s: number) => number;
  if (p.length === 1) row = (_b, s) => (p[0] + s) * half;
  else if (p.length === l.batch * l.seq) row = (b, s) => p[b * l.seq + s] * half;
  else throw new ShapeError(`position_ids must be [${l.batch}, ${l.seq}] or a single offset, got [${pos.shape.join(', ')}]`);
  return fromFloats(x.dtype, x.shape, applyRotary(floatIn(x, 'input'), l, floatIn(cosT, 'cos_cache'), floatIn(sinT, 'sin_cache'), row));
}

const same = (_ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): InferredValue[] => [{ dtype: inputs[0]?.dtype, ...(inputs[0]?.shape ? { shape: inputs[0].shape } : {}) }];

/** RotaryEmbedding in both domains. */
export const rotaryEmbeddingOps: readonly OpDefinition[] = [
  onnxOp(
    'RotaryEmbedding',
    23,
    (ctx) => {
      const a = rotaryAttrs(ctx);
      return (inputs) => [onnxRotary(inputs, a)];
    },
    same,
  ),
  msOp(
    'RotaryEmbedding',
    1,
    (ctx) => {
      const a = rotaryAttrs(ctx);
      if (ctx.attrs.int('is_packed_batching', 0) !== 0) throw new UnsupportedVariant('is_packed_batching = 1 is not supported');
      return (inputs) => [msRotary(need(inputs, 0, 'input'), need(inputs, 1, 'position_ids'), need(inputs, 2, 'cos_cache'), need(inputs, 3, 'sin_cache'), a)];
    },
    same,
  ),
];

export type { RotaryAttrs };
