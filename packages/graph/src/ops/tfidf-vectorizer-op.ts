// TfIdfVectorizer on integer tokens: counts the n-grams of `pool_int64s` (with skips) in each row of X, then weighs the
// counts (TF, IDF, TFIDF). String pools are refused at load (qint tensors hold no strings here).
import { DTypeError, ShapeError, Tensor, formatShape } from '@qint/tensor';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition, OpKernel } from './op-definition';
import { need, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** A node of the n-gram trie: the id of the n-gram ending here (0: none) and the next tokens. */
interface Gram {
  id: number;
  readonly next: Map<number, Gram>;
}

const gram = (): Gram => ({ id: 0, next: new Map() });

/** Builds the trie of the n-grams whose size is in [min, max]; ids count every n-gram of the pool from 1, in pool order. */
function buildTrie(pool: readonly number[], counts: readonly number[], min: number, max: number): Gram {
  const root = gram();
  let id = 1;
  for (let i = 0; i < counts.length; i++) {
    const size = i + 1;
    const start = counts[i];
    const end = i + 1 < counts.length ? counts[i + 1] : pool.length;
    const ngrams = Math.floor(Math.max(0, end - start) / size);
    if (size < min || size > max) {
      id += ngrams;
      continue;
    }
    for (let g = 0; g < ngrams; g++) {
      let node = root;
      for (let k = 0; k < size; k++) {
        const token = pool[start + g * size + k];
        let child = node.next.get(token);
        if (child === undefined) node.next.set(token, (child = gram()));
        if (k === size - 1) child.id = id++;
        node = child;
      }
    }
  }
  return root;
}

function tfidfKernel(ctx: OpBuildContext): OpKernel {
  const a = ctx.attrs;
  if (a.has('pool_strings')) throw new UnsupportedVariant('pool_strings is not supported (integer tokens only)');
  const mode = a.string('mode') ?? a.fail('attribute "mode" is required');
  if (mode !== 'TF' && mode !== 'IDF' && mode !== 'TFIDF') throw new UnsupportedVariant(`mode "${mode}" is not one of TF, IDF, TFIDF`);
  const min = a.int('min_gram_length') ?? a.fail('attribute "min_gram_length" is required');
  const max = a.int('max_gram_length') ?? a.fail('attribute "max_gram_length" is required');
  const maxSkip = a.int('max_skip_count') ?? a.fail('attribute "max_skip_count" is required');
  const counts = a.ints('ngram_counts') ?? a.fail('attribute "ngram_counts" is required');
  const indexes = a.ints('ngram_indexes') ?? a.fail('attribute "ngram_indexes" is required');
  const pool = a.ints('pool_int64s') ?? a.fail('attribute "pool_int64s" is required');
  const weights = a.floats('weights', []);
  if (min < 1 || max < min) a.fail(`min_gram_length ${min} and max_gram_length ${max} must satisfy 1 ≤ min ≤ max`);
  const outSize = Math.max(...indexes) + 1;
  const trie = buildTrie(pool, counts, min, max);
  return (inputs) => {
    const x = need(inputs, 0, 'X');
    if (x.dtype !== 'int32' && x.dtype !== 'int64') throw new DTypeError(`${ctx.label}: X must be int32 or int64, got ${x.dtype}`);
    if (x.rank > 2) throw new ShapeError(`${ctx.label}: X must be [C] or [B, C], got ${formatShape(x.shape)}`);
    const rows = x.rank === 2 ? x.shape[0] : 1;
    const cols = x.rank === 0 ? 1 : x.shape[x.rank - 1];
    const v = readInts(x, `${ctx.label} X`);
    const freq = new Float64Array(rows * outSize);
    for (let r = 0; r < rows; r++) {
      const begin = r * cols;
      const end = begin + cols;
      let startSize = min;
      for (let skip = 1; skip <= maxSkip + 1; skip++) {
        for (let s = begin; s < end; s++) {
          if (s + skip * (startSize - 1) >= end) break;
          let node = trie;
          for (let size = 1, at = s; node.next.size > 0 && size <= max && at < end; size++, at += skip) {
            const child = node.next.get(v[at]);
            if (child === undefined) break;
            if (size >= startSize && child.id !== 0) freq[r * outSize + indexes[child.id - 1]]++;
            node = child;
          }
        }
        // Unigrams do not depend on the skip: count them on the first pass only.
        if (startSize === 1) {
          startSize = 2;
          if (startSize > max) break;
        }
      }
    }
    const y = new Float32Array(freq.length);
    for (let i = 0; i < freq.length; i++) {
      const f = freq[i];
      const w = weights.length > 0 ? weights[i % outSize] : 1;
      y[i] = mode === 'TF' ? f : mode === 'IDF' ? (f > 0 ? w : 0) : w * f;
    }
    return [Tensor.from('float32', x.rank === 2 ? [rows, outSize] : [outSize], y)];
  };
}

/** TfIdfVectorizer (opset 9), integer pools. */
export const tfidfVectorizerOps: readonly OpDefinition[] = [onnxOp('TfIdfVectorizer', 9, tfidfKernel)];
