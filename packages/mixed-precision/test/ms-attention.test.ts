// com.microsoft Attention is a layer for mixed precision: its packed QKV weight is measured (float or int8, the
// bit widths QAttention stores) and a plan quantizes it. The model and the expected output are a fixture of
// @qint/onnx (one Attention node; output recorded from onnxruntime-node's float kernel).
import { join } from 'node:path';
import { createSession } from '@qint/graph';
import { loadTestCase } from '@qint/onnx';
import { describe, expect, it } from 'vitest';
import { ValueError, type Tensor } from '@qint/tensor';
import { allocate, applyPlan, measureSensitivity } from '../src/index';

const testCase = loadTestCase(join(__dirname, '..', '..', 'onnx', 'test', '__fixtures__', 'ms-ops', 'ms_attention'));
// Layers are addressed by node name; the fixture's node has none.
const model = { ...testCase.model, graph: { ...testCase.model.graph, nodes: testCase.model.graph.nodes.map((n) => ({ ...n, name: 'attn' })) } };
const set = testCase.dataSets[0];
const feedsOf = (): Record<string, Tensor> => {
  const feeds: Record<string, Tensor> = {};
  for (const i of set.inputs) feeds[i.name] = i.tensor!;
  return feeds;
};

describe('mixed precision with com.microsoft Attention', () => {
  it('measures the packed QKV weight as a layer and a plan quantizes it to int8 within int8 error of onnxruntime', () => {
    const feeds = feedsOf();
    const { table } = measureSensitivity(model, { calibration: [feeds] });
    expect(table.layers.map((l) => l.name)).toEqual([model.graph.nodes[0].name]);
    const layer = table.layers[0];
    // [16, 48] weights: float, or int8 per output column (48 scales); no sub-byte candidate (QAttention is 8-bit).
    expect(layer.weightCount).toBe(16 * 48);
    expect(layer.candidates.map((c) => [c.id, c.bytes])).toEqual([['float', 16 * 48 * 4], ['int8-per-channel', 16 * 48 + 48 * 4]]);
    const plan = allocate(table, '1x');
    expect(plan.layers[layer.name]).toBe('int8-per-channel');
    const { model: mixed, report } = applyPlan(model, plan, table);
    expect(report.quantized.map((q) => q.as)).toEqual(['DynamicQuantizeLinear+QAttention']);
    expect(mixed.graph.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeLinear', 'QAttention']);
    const y = createSession(mixed).run(feeds).output.data as Float32Array;
    const ref = set.outputs[0].tensor!.data as Float32Array;
    let err = 0;
    let peak = 0;
    for (let i = 0; i < ref.length; i++) {
      err = Math.max(err, Math.abs(y[i] - ref[i]));
      peak = Math.max(peak, Math.abs(ref[i]));
    }
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(0.02 * peak);
  });

  it('an unnamed layer (as the fixture stores it) is left out with the typed error, not a crash', () => {
    const feeds = feedsOf();
    expect(() => measureSensitivity(testCase.model, { calibration: [feeds] })).toThrow(ValueError);
    expect(() => measureSensitivity(testCase.model, { calibration: [feeds] })).toThrow(/no quantizable layer with a name/);
  });
});
