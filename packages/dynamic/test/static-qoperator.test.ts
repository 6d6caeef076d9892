// Static quantization in QOperator form (QuantizeLinear → QLinearConv / QLinearMatMul → DequantizeLinear): structure,
// the int32 bias rule of ONNX, agreement with onnxruntime-node (the oracle), accuracy on MNIST, ONNX round trip.
import { createSession, type Model } from '@qint/graph';
import { roundHalfEven } from '@qint/observers';
import { decodeModel, encodeModel, loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { calibrateState, fromOnnxModel, quantizeStatic, saturationHazards } from '../src';
import { argmax, image, loadMnist } from './__fixtures__/mnist';

const fixtures = new URL('../../onnx/test/__fixtures__/', import.meta.url).pathname;
const train = loadMnist('train');
const test = loadMnist('t10k');

/** The scale of the last DequantizeLinear: one quantization step of the last quantized tensor before the output. */
function lastStep(model: Model): number {
  const dq = model.graph.nodes.filter((n) => n.opType === 'DequantizeLinear').at(-1)!;
  return (model.graph.initializers.get(dq.inputs[1])!.data as Float32Array)[0];
}

async function maxDiffToOrt(model: Model, feeds: Record<string, Tensor>[], output: string): Promise<number> {
  // The default uint8 weight storage: onnxruntime multiplies u8 × u8, exact on every CPU.
  expect(saturationHazards(model)).toEqual([]);
  const session = await ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 1 });
  const qint = createSession(model);
  let max = 0;
  for (const f of feeds) {
    const mine = qint.run(f)[output].data as Float32Array;
    const ortFeeds = Object.fromEntries(Object.entries(f).map(([k, t]) => [k, new ort.Tensor('float32', t.data as Float32Array, [...t.shape])]));
    const theirs = (await session.run(ortFeeds))[output].data as Float32Array;
    expect(theirs.length).toBe(mine.length);
    for (let j = 0; j < mine.length; j++) max = Math.max(max, Math.abs(mine[j] - theirs[j]));
  }
  return max;
}

function accuracy(model: Model, input: string, output: string, shape: number[], pixelScale: number, first: number, count: number): number {
  const s = createSession(model);
  let correct = 0;
  for (let i = first; i < first + count; i++) {
    if (argmax(s.run({ [input]: Tensor.from('float32', shape, image(test, i, pixelScale)) })[output].data as Float32Array) === test.labels[i]) correct++;
  }
  return correct / count;
}

describe('QOperator on mnist-8', () => {
  const float = loadModel(`${fixtures}models/mnist-8/model.onnx`);
  const feed = (set: typeof test, i: number) => ({ Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) });
  const state = calibrateState(float, Array.from({ length: 100 }, (_, i) => feed(train, i)));
  const { model: qop, report } = quantizeStatic(float, state, { format: 'qoperator' });

  it('emits QuantizeLinear → QLinearConv(+bias Add+Relu) ×2 → QLinearMatMul → DequantizeLinear', () => {
    expect(report.quantized.map((r) => [r.node, r.as])).toEqual([
      ['Convolution28', 'QLinearConv (+Add+Relu)'],
      ['Convolution110', 'QLinearConv (+Add+Relu)'],
      ['Times212', 'QLinearMatMul'],
    ]);
    const ops = qop.graph.nodes.map((n) => n.opType);
    // The MaxPools pool the uint8 QLinearConv outputs (opset 12 allows uint8 MaxPool); the float Reshape before the
    // MatMul needs a DequantizeLinear / QuantizeLinear pair.
    expect(ops).toEqual(['QuantizeLinear', 'QLinearConv', 'MaxPool', 'QLinearConv', 'MaxPool', 'DequantizeLinear', 'Reshape', 'QuantizeLinear', 'QLinearMatMul', 'DequantizeLinear', 'Add']);
    expect(ops).not.toContain('Conv');
    expect(qop.opsetImports['']).toBe(12);
    expect(report.warnings).toContain('the ai.onnx opset was raised to 12 for QLinearConv/QLinearMatMul and uint8 MaxPool');
    const producer = new Map(qop.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
    const pools = qop.graph.nodes.filter((n) => n.opType === 'MaxPool');
    expect(pools.map((n) => producer.get(n.inputs[0])?.opType)).toEqual(['QLinearConv', 'QLinearConv']);
    // The second QLinearConv reads the first pool's uint8 output with the first QLinearConv's output scale and zero point.
    const [conv1, conv2] = qop.graph.nodes.filter((n) => n.opType === 'QLinearConv');
    expect(conv2.inputs.slice(0, 3)).toEqual([pools[0].outputs[0], conv1.inputs[6], conv1.inputs[7]]);
  });

  it('uint8 MaxPool is exact: the same logits as dequantize → float MaxPool → quantize with the same parameters', () => {
    // Reference: each integer MaxPool written out through the float domain (max commutes with the monotone grid).
    const nodes = qop.graph.nodes.flatMap((n) => {
      if (n.opType !== 'MaxPool') return [n];
      const conv = qop.graph.nodes.find((c) => c.outputs[0] === n.inputs[0])!;
      const [s, z] = [conv.inputs[6], conv.inputs[7]];
      const f = `${n.inputs[0]}_ref_float`;
      const p = `${n.outputs[0]}_ref_float`;
      return [
        { name: `${n.name}_ref_dq`, opType: 'DequantizeLinear', domain: '', inputs: [n.inputs[0], s, z], outputs: [f], attributes: {} },
        { ...n, inputs: [f], outputs: [p] },
        { name: `${n.name}_ref_q`, opType: 'QuantizeLinear', domain: '', inputs: [p, s, z], outputs: [n.outputs[0]], attributes: {} },
      ];
    });
    const ref = createSession({ ...qop, graph: { ...qop.graph, nodes } });
    const q = createSession(qop);
    for (let i = 0; i < 10; i++) expect(q.run(feed(test, i)).Plus214_Output_0.data).toEqual(ref.run(feed(test, i)).Plus214_Output_0.data);
    expect(report.weightBytesAfter / report.weightBytesBefore).toBeLessThan(0.3);
  });

  it('QLinearConv bias is int32 of scale x_scale · w_scale[m] (ONNX), from the float Add constant', () => {
    const conv = qop.graph.nodes.find((n) => n.opType === 'QLinearConv')!;
    const get = (i: number) => qop.graph.initializers.get(conv.inputs[i])!;
    const xScale = (get(1).data as Float32Array)[0];
    const wScale = get(4).data as Float32Array;
    const b = get(8);
    expect(b.dtype).toBe('int32');
    const floatBias = float.graph.initializers.get('Parameter6')!.data as Float32Array; // [8,1,1], the Add after Convolution28
    expect(Array.from(b.data as Int32Array)).toEqual(Array.from(floatBias, (v, m) => roundHalfEven(v / (xScale * wScale[m]))));
    // The Relu is fused through the output range: zero point 0, so uint8 saturation is the Relu.
    expect((get(7).data as Uint8Array)[0]).toBe(0);
  });

  it('onnxruntime-node runs it with the logits of qint (within one quantization step)', async () => {
    const d = await maxDiffToOrt(qop, Array.from({ length: 20 }, (_, i) => feed(test, i)), 'Plus214_Output_0');
    expect(d).toBeLessThanOrEqual(lastStep(qop));
  });

  // Accuracy per calibration method, QDQ and QOperator: static-accuracy.test.ts.

  it('survives the ONNX round trip: encode → decode → fromOnnxModel keeps it, bit-identical outputs', () => {
    const back = decodeModel(encodeModel(qop));
    const { model, report: imported } = fromOnnxModel(back);
    expect(imported.rewritten).toEqual([]);
    expect(imported.static.map(([op]) => op)).toEqual(['QLinearConv', 'QLinearConv', 'QLinearMatMul']);
    const a = createSession(qop);
    const b = createSession(model);
    for (let i = 0; i < 5; i++) expect(b.run(feed(test, i)).Plus214_Output_0.data).toEqual(a.run(feed(test, i)).Plus214_Output_0.data);
  });

  it('per-tensor weights, exclude by name and by op type', async () => {
    const perTensor = quantizeStatic(float, state, { format: 'qoperator', granularity: 'per_tensor' }).model;
    expect(await maxDiffToOrt(perTensor, [feed(test, 0), feed(test, 1)], 'Plus214_Output_0')).toBeLessThanOrEqual(lastStep(perTensor));
    const noMatMul = quantizeStatic(float, state, { format: 'qoperator', exclude: ['Times212'] });
    expect(noMatMul.report.skipped).toEqual([{ node: 'Times212', opType: 'MatMul', reason: 'excluded by options.exclude' }]);
    expect(noMatMul.model.graph.nodes.map((n) => n.opType)).toContain('MatMul');
    const noConv = quantizeStatic(float, state, { format: 'qoperator', exclude: ['Conv'] });
    expect(noConv.report.quantized.map((r) => r.node)).toEqual(['Times212']);
    // The excluded Convs keep their float bias Add and Relu.
    expect(noConv.model.graph.nodes.filter((n) => n.opType === 'Relu')).toHaveLength(2);
    expect(await maxDiffToOrt(noConv.model, [feed(test, 0)], 'Plus214_Output_0')).toBeLessThanOrEqual(lastStep(noConv.model));
  });
});

describe('QOperator on the PyTorch-exported fixtures', () => {
  for (const [name, shape, ops] of [
    ['cnn-bn', [1, 1, 28, 28], ['QLinearConv (+Relu)', 'QLinearConv (+Relu)', 'QLinearMatMul']],
    ['mlp', [1, 784], ['QLinearMatMul', 'QLinearMatMul', 'QLinearMatMul']],
    ['transformer', [1, 28, 28], Array(10).fill('QLinearMatMul')],
  ] as const) {
    it(`${name}: onnxruntime agrees within one step; accuracy within 1 point of float on 300 held-out images`, async () => {
      const float = loadModel(`${fixtures}torch/${name}/model.onnx`);
      const feed = (set: typeof test, i: number) => ({ input: Tensor.from('float32', [...shape], image(set, i, 1 / 255)) });
      const output = float.graph.outputs[0].name;
      const { model, report } = quantizeStatic(float, calibrateState(float, Array.from({ length: 100 }, (_, i) => feed(train, i))), { format: 'qoperator' });
      expect(report.quantized.map((r) => r.as)).toEqual([...ops]);
      expect(model.graph.nodes.some((n) => n.opType === 'Gemm')).toBe(false);
      expect(await maxDiffToOrt(model, Array.from({ length: 10 }, (_, i) => feed(test, 5000 + i)), output)).toBeLessThanOrEqual(lastStep(model));
      const f = accuracy(float, 'input', output, [...shape], 1 / 255, 5000, 300);
      const q = accuracy(model, 'input', output, [...shape], 1 / 255, 5000, 300);
      expect(f - q).toBeLessThanOrEqual(0.01);
    });
  }
});
