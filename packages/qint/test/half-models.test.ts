// Half-precision models (float16 and bfloat16 storage), made from the PyTorch float exports by
// @qint/onnx's test/__fixtures__/half/make-half-models.py as onnxconverter-common would, with onnxruntime-node's outputs
// recorded beside them (record-half-outputs.mjs): they run, quantize and round-trip through .qint on both backends.
import { join } from 'node:path';
import { decodeQint, encodeQint } from '@qint/format';
import { InferenceSession, type Model } from '@qint/graph';
import { loadTestCase, type OnnxTestCase } from '@qint/onnx';
import { quantizeDynamic } from '@qint/dynamic';
import type { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { resolveBackend } from '../src/backends';

const HALF = join(__dirname, '..', '..', 'onnx', 'test', '__fixtures__', 'half');
const NAMES = ['cnn-fp16-io32', 'transformer-fp16', 'cnn-bf16'] as const;

/** One float16 ulp at the magnitude of x. */
const ulp16 = (x: number): number => 2 ** (Math.floor(Math.log2(x)) - 10);

function runAll(model: Model, tc: OnnxTestCase, session: InferenceSession): Tensor[] {
  const name = session.requiredInputs[0].name;
  return tc.dataSets.map((set) => session.run({ [name]: set.inputs[0].tensor! })[model.graph.outputs[0].name]);
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

function argmaxRows(t: Tensor): number[] {
  const v = t.values();
  const cols = t.shape[t.shape.length - 1];
  const out: number[] = [];
  for (let r = 0; r < v.length / cols; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (v[r * cols + c] > v[r * cols + best]) best = c;
    out.push(best);
  }
  return out;
}

for (const backendName of ['js', 'wasm'] as const) {
  describe(`half-precision models on the ${backendName} backend`, () => {
    it.each(NAMES)('%s: float run equals onnxruntime within float16 rounding', async (name) => {
      const backend = await resolveBackend(backendName);
      const tc = loadTestCase(join(HALF, name));
      const session = InferenceSession.create(tc.model, { backend });
      const outs = runAll(tc.model, tc, session);
      tc.dataSets.forEach((set, i) => {
        const expected = set.outputs[0].tensor!;
        expect(outs[i].dtype).toBe(expected.dtype);
        const e = expected.values();
        const a = outs[i].values();
        // float16 graphs: each op's output is rounded to float16 (onnxruntime keeps some chains in float32), so allow
        // two float16 ulps of the largest logit; the bfloat16 model only stores weights in bfloat16 and computes in
        // float32, as onnxruntime does.
        const bound = name === 'cnn-bf16' ? 1e-4 * maxAbs(e) : 2 * ulp16(maxAbs(e));
        for (let j = 0; j < e.length; j++) expect(Math.abs(a[j] - e[j]), `${set.name}[${j}]`).toBeLessThanOrEqual(bound);
        expect(argmaxRows(outs[i])).toEqual(argmaxRows(expected));
      });
    });

    it.each(NAMES)('%s: quantizes its half-precision weights (bytes against the original) and round-trips through .qint', async (name) => {
      const backend = await resolveBackend(backendName);
      const tc = loadTestCase(join(HALF, name));
      const { model, report } = quantizeDynamic(tc.model);
      expect(report.quantized.length).toBeGreaterThanOrEqual(3);
      // The original's weights: its initializers and the tensors of its Constant nodes (quantizeDynamic folds those
      // into initializers first and counts them as weights).
      const constants = tc.model.graph.nodes.filter((n) => n.opType === 'Constant').map((n) => n.attributes.value).filter((a) => a?.type === 'tensor');
      const original = [...tc.model.graph.initializers.values(), ...constants.map((a) => (a as { value: { data: ArrayBufferView } }).value)].reduce((s, t) => s + t.data.byteLength, 0);
      expect(report.weightBytesBefore).toBe(original);
      for (const layer of report.quantized.filter((l) => l.weightBytesBefore > 0)) {
        // Each layer's float bytes are its half-precision storage: 2 bytes per weight (and bias) element (activation ×
        // activation MatMuls have no weight and are left out).
        expect(layer.weightBytesBefore % 2).toBe(0);
        expect(layer.weightBytesAfter).toBeLessThan(layer.weightBytesBefore);
      }
      const session = InferenceSession.create(model, { backend });
      const outs = runAll(model, tc, session);
      tc.dataSets.forEach((set, i) => {
        const e = set.outputs[0].tensor!.values();
        const a = outs[i].values();
        // The usual dynamic int8 error on these nets: within 5% of the largest logit, same predicted classes.
        for (let j = 0; j < e.length; j++) expect(Math.abs(a[j] - e[j]), `${set.name}[${j}]`).toBeLessThanOrEqual(0.05 * maxAbs(e));
        expect(argmaxRows(outs[i])).toEqual(argmaxRows(set.outputs[0].tensor!));
      });
      for (const m of [tc.model, model]) {
        const doc = await decodeQint(await encodeQint(m));
        const before = runAll(m, tc, InferenceSession.create(m, { backend }));
        const after = runAll(doc.model, tc, InferenceSession.create(doc.model, { backend }));
        after.forEach((t, i) => {
          expect(t.dtype).toBe(before[i].dtype);
          expect(Array.from(t.data as ArrayLike<number>)).toEqual(Array.from(before[i].data as ArrayLike<number>));
        });
      }
    });
  });
}
