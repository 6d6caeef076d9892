// gptqRound against an independent numpy implementation of the paper's Algorithm 1 (scripts/gptq-reference.py,
// LAPACK Cholesky and inverse): the integer values must be identical. The script rejects problems with a rounding
// decision within 1e-4 of a tie, so the ~1e-12 float64 differences between LAPACK and our loops cannot flip one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gptqRound } from '../src/gptq-round';
import { quantizeValue, storedRange, type QuantizedWeight, type WeightQuantSettings } from '../src/quantize-weight';

interface Case {
  name: string;
  n: number;
  k: number;
  settings: Pick<WeightQuantSettings, 'bits' | 'granularity' | 'blockSize' | 'symmetric' | 'weightType' | 'reduceRange' | 'convention'>;
  w: number[];
  gram: number[];
  scales: number[];
  zeroPoints: number[];
  values: number[];
  deadInputs: number[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, '__fixtures__', 'gptq-reference.json'), 'utf8')) as { dampening: number; cases: Case[] };

describe('gptqRound ≡ numpy reference (scripts/gptq-reference.py), bit-exact integers', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const w = Float32Array.from(c.w);
    const s = c.settings;
    const q: QuantizedWeight = {
      n: c.n,
      k: c.k,
      bits: s.bits,
      blockSize: s.granularity === 'per_block' ? s.blockSize : 0,
      values: new Int8Array(c.n * c.k),
      scales: Float32Array.from(c.scales),
      zeroPoints: Int32Array.from(c.zeroPoints),
    };
    const out = gptqRound(w, Float64Array.from(c.gram), q, s, c.name, { dampening: fixture.dampening });
    expect(Array.from(out.values)).toEqual(c.values);
    expect(Array.from(out.scales)).toEqual(Array.from(q.scales));
    // Not a vacuous match: GPTQ chose other integers than nearest rounding for some weights, and dead inputs kept nearest.
    const shift = s.bits === 8 && s.weightType === 'uint8' ? 128 : 0;
    const { lo, hi } = storedRange(s);
    const per = q.blockSize ? Math.ceil(c.k / q.blockSize) : 1;
    const g = (r: number, j: number): number => (q.blockSize ? r * per + Math.floor(j / q.blockSize) : c.scales.length === 1 ? 0 : r);
    let differ = 0;
    for (let r = 0; r < c.n; r++) {
      for (let j = 0; j < c.k; j++) {
        const sc = c.scales[g(r, j)];
        const nearest = quantizeValue(w[r * c.k + j], Math.fround(1 / sc), sc, c.zeroPoints[g(r, j)], lo - shift, hi - shift, s.convention === 'pytorch');
        if (c.deadInputs.includes(j)) expect(out.values[r * c.k + j]).toBe(nearest);
        else if (out.values[r * c.k + j] !== nearest) differ++;
      }
    }
    expect(differ).toBeGreaterThan(0);
  });
});
