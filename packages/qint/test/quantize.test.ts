import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, loadModel, quantize, renderReport, summarizeModel } from '../src/index';
import { loadMnistTest } from './mnist';

const mnistPath = join(__dirname, '__fixtures__', 'mnist-8', 'model.onnx');
const { images, labels } = loadMnistTest();
const first = (n: number) => ({ x: images.slice([0], [n]), y: labels.slice([0], [n]) });

describe('quantize (facade)', () => {
  it('int8 per-channel by default: about 4x smaller, same predictions on real digits', async () => {
    const model = await loadModel(mnistPath);
    const { model: int8, report } = await quantize(model);
    expect(report.quantized.map((q) => q.bits)).toEqual([8, 8, 8]);
    const { x, y } = first(1000);
    const c = await compare(model, int8, x, y, { backend: 'wasm' });
    expect(c.sizeRatio).toBeLessThan(0.28);
    expect(c.top1Agreement).toBeGreaterThan(0.99);
    expect(Math.abs(c.quantized.accuracy! - c.float.accuracy!)).toBeLessThanOrEqual(0.005);
    expect(c.float.accuracy).toBeCloseTo(0.987, 10); // onnxruntime's fp32 on the first 1,000 images
  });

  it('mixed precision under a budget picks per-layer bits from measured sensitivity', async () => {
    const model = await loadModel(mnistPath);
    const int8Bytes = summarizeModel((await quantize(model)).model).parameterBytes;
    const { model: mixed, mixedPrecision } = await quantize(model, { budget: '0.6x', calibration: images, calibrationSamples: 64 });
    expect(mixedPrecision).toBeDefined();
    const { plan, table, frontier } = mixedPrecision!;
    expect(Object.keys(plan.layers)).toHaveLength(3);
    expect(table.layers).toHaveLength(3);
    expect(frontier.length).toBeGreaterThan(2);
    expect(summarizeModel(mixed).parameterBytes).toBeLessThan(int8Bytes);
    const { x, y } = first(500);
    const c = await compare(model, mixed, x, y);
    expect(c.quantized.accuracy!).toBeGreaterThan(c.float.accuracy! - 0.02);
  });

  it('re-measures the plans near the budget and keeps the best measured; times layers for a latency budget', async () => {
    const model = await loadModel(mnistPath);
    const calibration = images.slice([9000], [10000]); // apart from the digits accuracy is checked on
    const { mixedPrecision } = await quantize(model, { budget: '0.5x', calibration, calibrationSamples: 32, remeasure: { frontierPlans: 2, searchEvaluations: 2 } });
    const { plan, table, measured } = mixedPrecision!;
    expect(table.layers.find((l) => l.weightCount === 2560)!.candidates.map((c) => c.id)).toContain('int3-block64-mse'); // the search set
    expect(measured!.evaluated.length).toBeGreaterThanOrEqual(2);
    expect(measured!.evaluated.length).toBeLessThanOrEqual(4);
    const best = Math.min(...measured!.evaluated.map((e) => e.measuredDamage));
    expect(measured!.evaluated.find((e) => JSON.stringify(e.plan.layers) === JSON.stringify(plan.layers))!.measuredDamage).toBe(best);
    const limit = Math.floor(0.5 * table.layers.reduce((n, l) => n + l.candidates.find((c) => c.id === 'int8-per-channel')!.bytes, 0));
    for (const e of measured!.evaluated) expect(e.plan.predicted.bytes).toBeLessThanOrEqual(limit);
    // Latency budgets: the layers are timed first, so the message is about the reachable range, not missing latencies.
    // A latency budget above every plan is met (issue 19), by the least-damage plan: all float.
    const slow = await quantize(model, { budget: '100000ms', calibration, calibrationSamples: 8, candidates: 'default', remeasure: false });
    expect(slow.report.quantized).toHaveLength(0);
    await expect(quantize(model, { budget: '5ms' })).rejects.toThrow(/latency budget needs calibration samples/);
    await expect(quantize(model, { budget: '0.5x', calibration, candidates: 'all' as never })).rejects.toThrow(/candidates must be/);
  });

  it("rounding 'gptq': same bytes as nearest rounding, every layer GPTQ-rounded, more accurate at 3 bits; needs calibration", async () => {
    const model = await loadModel(mnistPath);
    const calibration = images.slice([9000], [10000]); // apart from the digits accuracy is checked on
    const near = await quantize(model, { weightBits: 3 });
    const gptq = await quantize(model, { weightBits: 3, rounding: 'gptq', calibration, calibrationSamples: 64 });
    expect(gptq.report.quantized.map((q) => q.rounding)).toEqual(['gptq', 'gptq', 'gptq']);
    expect(gptq.report.weightBytesAfter).toBe(near.report.weightBytesAfter);
    const { x, y } = first(1000);
    const [a, b] = [await compare(model, near.model, x, y), await compare(model, gptq.model, x, y)];
    expect(b.quantized.accuracy!).toBeGreaterThan(a.quantized.accuracy!);
    // With a budget: the search candidates and their GPTQ twins; the chosen plan is applied with the same Gram matrices.
    const mixed = await quantize(model, { budget: '0.5x', rounding: 'gptq', calibration, calibrationSamples: 32, remeasure: { frontierPlans: 2, searchEvaluations: 2 } });
    expect(mixed.mixedPrecision!.table.layers[0].candidates.map((c) => c.id)).toContain('int3-per-channel-gptq');
    const chosen = mixed.mixedPrecision!.plan.layers;
    const table = mixed.mixedPrecision!.table;
    for (const q of mixed.report.quantized) {
      const candidate = table.layers.find((l) => l.name === q.node)!.candidates.find((c) => c.id === chosen[q.node])!;
      expect(q.rounding).toBe(candidate.rounding === 'gptq' ? 'gptq' : 'nearest');
    }
    await expect(quantize(model, { budget: '0.5x', rounding: 'gptq', calibration, candidates: 'default' })).rejects.toThrow(/candidates "default" has none/);
    await expect(quantize(model, { weightBits: 3, rounding: 'gptq' })).rejects.toThrow(/rounding "gptq" needs calibration samples/);
    await expect(quantize(model, { mode: 'static', rounding: 'gptq', calibration })).rejects.toThrow(/rounding "gptq" is for mode "dynamic"/);
    await expect(quantize(model, { rounding: 'best' as never, calibration })).rejects.toThrow(/rounding must be "nearest" or "gptq"/);
  });

  it('explains an unreachable budget with the reachable range', async () => {
    const model = await loadModel(mnistPath);
    await expect(quantize(model, { budget: '100', calibration: images, calibrationSamples: 8 })).rejects.toThrow(/reachable: .* – /);
    await expect(quantize(model, { mode: 'int4' as never })).rejects.toThrow(/mode must be "dynamic" or "static"/);
    await expect(quantize(model, { mode: 'static' })).rejects.toThrow(/needs calibration samples/);
    await expect(quantize(model, { mode: 'static', calibration: images, weightBits: 4 })).rejects.toThrow(/8-bit/);
    await expect(quantize(model, { mode: 'static', calibration: images, observer: 'kl' as never })).rejects.toThrow(/observer must be one of minmax, .*, mse, got "kl"/);
    await expect(quantize(model, { mode: 'static', calibration: images, staticFormat: 'qlinear' as never })).rejects.toThrow(/staticFormat must be "qdq" or "qoperator"/);
  });

  it('static mode with another observer writes QOperator int8 (QLinearConv/QLinearMatMul) that keeps accuracy', async () => {
    const model = await loadModel(mnistPath);
    const { model: qop } = await quantize(model, { mode: 'static', observer: 'percentile', staticFormat: 'qoperator', calibration: images.slice([9000], [10000]), calibrationSamples: 128 });
    const ops = qop.graph.nodes.map((n) => n.opType);
    expect(ops.filter((op) => op === 'QLinearConv')).toHaveLength(2);
    expect(ops.filter((op) => op === 'QLinearMatMul')).toHaveLength(1);
    const { x, y } = first(1000);
    const c = await compare(model, qop, x, y);
    expect(Math.abs(c.quantized.accuracy! - c.float.accuracy!)).toBeLessThanOrEqual(0.005);
  });

  it('static mode calibrates activation ranges and writes QDQ int8 that keeps accuracy', async () => {
    const model = await loadModel(mnistPath);
    const progress: number[] = [];
    const { model: qdq, report } = await quantize(model, {
      mode: 'static',
      calibration: images.slice([9000], [10000]),
      calibrationSamples: 256,
      onProgress: (done, total, label) => {
        expect([total, label]).toEqual([256, 'calibration']);
        progress.push(done);
      },
    });
    expect(progress).toEqual(Array.from({ length: 256 }, (_, i) => i + 1));
    expect(report.quantized).toHaveLength(3);
    const ops = qdq.graph.nodes.map((n) => n.opType);
    expect(ops.filter((op) => op === 'QuantizeLinear')).toHaveLength(3);
    expect(ops.filter((op) => op === 'DequantizeLinear').length).toBeGreaterThanOrEqual(6);
    const { x, y } = first(1000);
    const c = await compare(model, qdq, x, y);
    expect(Math.abs(c.quantized.accuracy! - c.float.accuracy!)).toBeLessThanOrEqual(0.005);
  });
});

describe('renderReport', () => {
  it('writes a self-contained page with the table, the chart and escaped names', () => {
    const html = renderReport({
      title: 'mnist-8 <demo>',
      variants: [
        { name: 'float', fileBytes: 26000, accuracy: 0.9891, latencyMs: { js: 1.2, wasm: 0.3 } },
        { name: 'int8', fileBytes: 7000, accuracy: 0.989 },
      ],
      frontier: { yLabel: 'accuracy', percent: true, series: [{ name: 'measured', points: [{ bytes: 7000, value: 0.989, label: 'int8', highlight: true }, { bytes: 3000, value: 0.95 }] }] },
    });
    expect(html).toContain('<title>mnist-8 &lt;demo&gt;</title>');
    expect(html).toContain('98.91%');
    expect(html).toContain('3.71×');
    expect(html).toMatch(/<svg [^>]*>.*<polyline/s);
    expect(html).not.toMatch(/<script|<link|src="http/);
  });
});
