import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, runOp } from '../__fixtures__/graph-builder';

describe('TfIdfVectorizer (integer tokens)', () => {
  // n-grams: '1' (id 1 → column 0), '2' (→ 1), '1 2' (→ 2)
  const attrs = (mode: string, maxSkip: number, extra = {}) => ({
    mode: A.str(mode),
    min_gram_length: A.int(1),
    max_gram_length: A.int(2),
    max_skip_count: A.int(maxSkip),
    ngram_counts: A.ints([0, 2]),
    ngram_indexes: A.ints([0, 1, 2]),
    pool_int64s: A.ints([1, 2, 1, 2]),
    ...extra,
  });
  const x = Tensor.from('int32', [5], [1, 2, 1, 3, 2]);

  it('counts unigrams once and bigrams for every skip distance up to max_skip_count', () => {
    // adjacent pairs: (1,2) once; with skip distance 2 also (x2, x4) = (1, 2)
    expect(runOp('TfIdfVectorizer', [x], attrs('TF', 0), { opset: 9 })[0].toArray()).toEqual([2, 2, 1]);
    expect(runOp('TfIdfVectorizer', [x], attrs('TF', 1), { opset: 9 })[0].toArray()).toEqual([2, 2, 2]);
  });

  it('IDF and TFIDF weights; a [B, C] input gives [B, n] rows', () => {
    const w = { weights: A.floats([0.5, 1, 2]) };
    expect(runOp('TfIdfVectorizer', [x], attrs('IDF', 0, w), { opset: 9 })[0].toArray()).toEqual([0.5, 1, 2]);
    expect(runOp('TfIdfVectorizer', [x], attrs('TFIDF', 0, w), { opset: 9 })[0].toArray()).toEqual([1, 2, 2]);
    const rows = runOp('TfIdfVectorizer', [Tensor.from('int64', [2, 2], [1, 2, 3, 3])], attrs('TF', 0), { opset: 9 })[0];
    expect(rows.shape).toEqual([2, 3]);
    expect(rows.toArray()).toEqual([1, 1, 1, 0, 0, 0]);
    expect(() => runOp('TfIdfVectorizer', [x], attrs('BM25', 0), { opset: 9 })).toThrow(/mode "BM25"/);
  });
});
