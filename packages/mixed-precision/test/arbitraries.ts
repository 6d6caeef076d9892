import fc from 'fast-check';
import type { Candidate, SensitivityTable } from '../src/index';

const damageArb = fc.oneof(
  fc.constant(0), // zero-damage candidates (float)
  fc.integer({ min: 0, max: 8 }).map((x) => x / 4), // coarse values: many exact ties
  fc.double({ min: 0, max: 10, noNaN: true, noDefaultInfinity: true }),
);

/** Random tables: byte counts from a small range (many equal costs), ties in damage, optional pins and latencies. */
export function tableArb(opts: { maxLayers: number; maxCandidates: number; maxBytes: number }): fc.Arbitrary<SensitivityTable> {
  const candidate = fc.record({
    bytes: fc.integer({ min: 0, max: opts.maxBytes }),
    damage: damageArb,
    latencyMs: fc.double({ min: 0, max: 5, noNaN: true, noDefaultInfinity: true }),
  });
  const layer = fc.record({
    candidates: fc.array(candidate, { minLength: 1, maxLength: opts.maxCandidates }),
    pin: fc.option(fc.nat(opts.maxCandidates - 1), { freq: 5 }),
    weightCount: fc.integer({ min: 0, max: 64 }),
  });
  return fc.array(layer, { minLength: 0, maxLength: opts.maxLayers }).map((layers) => ({
    layers: layers.map((l, li) => ({
      name: `layer${li}`,
      weightCount: l.weightCount,
      candidates: l.candidates.map(
        (c, ci): Candidate => ({ id: `c${ci}`, bits: 4, granularity: 'per-channel', bytes: c.bytes, damage: c.damage, latencyMs: c.latencyMs }),
      ),
      ...(l.pin !== null && l.pin < l.candidates.length ? { pinned: `c${l.pin}` } : {}),
    })),
  }));
}
