import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from '@qint/graph';
import { saturationHazards } from '@qint/dynamic';
import { loadTensorPb } from '@qint/onnx';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, writeNpy } from '../src/index';
import { cli } from './cli-helpers';
import { loadMnistTest } from './mnist';

const mnistDir = join(__dirname, '__fixtures__', 'mnist-8');
const mnist = join(mnistDir, 'model.onnx');
const scratch = mkdtempSync(join(tmpdir(), 'qint-cli-quantize-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const calibration = join(scratch, 'calibration.npy');
writeFileSync(calibration, writeNpy(loadMnistTest().images.slice([0], [64])));

describe('qint quantize', () => {
  it('writes an int8 .qint with a quarter of the weight bytes, and reports each layer', async () => {
    const out = join(scratch, 'int8.qint');
    const { code, out: stdout } = await cli('quantize', mnist, '-o', out, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.quantized).toHaveLength(3);
    expect(result.fileBytes).toBe(statSync(out).size);
    // Initializers: int8 values + float32 scales + float biases + shape = 6,248 of 24,008 bytes (26.0%). The file also holds
    // the graph as JSON (~5.5 KB, which dominates for a model this small), so the file is about half the ONNX file.
    expect(result.weightBytesAfter / result.weightBytesBefore).toBeLessThanOrEqual(0.27);
    expect(result.fileBytes).toBeLessThan(0.5 * statSync(mnist).size);
    const input = loadTensorPb(join(mnistDir, 'test_data_set_0', 'input_0.pb')).tensor;
    const y = InferenceSession.create(await loadModel(out)).run({ Input3: input }).Plus214_Output_0.toArray();
    expect(y.indexOf(Math.max(...y))).toBe(2);
  });

  it('--rounding gptq: GPTQ-rounded weights from --calibration, the same bytes as nearest; refused without --calibration', async () => {
    const out = join(scratch, 'gptq3.qint');
    const { code, out: stdout } = await cli('quantize', mnist, '-o', out, '--weight-bits', '3', '--rounding', 'gptq', '--calibration', calibration, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.quantized.map((q: { rounding: string }) => q.rounding)).toEqual(['gptq', 'gptq', 'gptq']);
    const near = JSON.parse((await cli('quantize', mnist, '-o', join(scratch, 'near3.qint'), '--weight-bits', '3', '--json')).out);
    expect(result.weightBytesAfter).toBe(near.weightBytesAfter);
    const refused = await cli('quantize', mnist, '-o', join(scratch, 'x.qint'), '--rounding', 'gptq');
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/--rounding gptq needs --calibration/);
  });

  it('writes ONNX that onnxruntime runs, with the same answer', async () => {
    const out = join(scratch, 'int8.onnx');
    const { code } = await cli('quantize', mnist, '-o', out);
    expect(code).toBe(0);
    const session = await ort.InferenceSession.create(out);
    const input = loadTensorPb(join(mnistDir, 'test_data_set_0', 'input_0.pb')).tensor;
    const result = await session.run({ Input3: new ort.Tensor('float32', input.data as Float32Array, [1, 1, 28, 28]) });
    const ortY = Array.from(result[session.outputNames[0]].data as Float32Array);
    const qintY = InferenceSession.create(await loadModel(out)).run({ Input3: input }).Plus214_Output_0.toArray();
    expect(ortY.indexOf(Math.max(...ortY))).toBe(2);
    ortY.forEach((v, i) => expect(Math.abs(v - qintY[i])).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(v))));
    // The default uint8 weights: no u8 × s8 product, so onnxruntime computes this exactly on every x86 CPU.
    expect(saturationHazards(await loadModel(out))).toEqual([]);
  });

  it('--onnx-weights s8 writes the full-range form with a warning; bad values and .qint output are refused', async () => {
    const out = join(scratch, 'int8-s8.onnx');
    const { code, err } = await cli('quantize', mnist, '-o', out, '--onnx-weights', 's8');
    expect(code).toBe(0);
    expect(err).toMatch(/warning: --onnx-weights s8 writes u8 × s8 integer ops, which onnxruntime computes wrong \(int16 saturation\) on x86 CPUs without AVX-512 VNNI/);
    expect(saturationHazards(await loadModel(out)).map((h) => h.opType)).toEqual(['ConvInteger', 'ConvInteger', 'MatMulInteger']);
    const bad = await cli('quantize', mnist, '-o', out, '--onnx-weights', 'int8');
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('qint: --onnx-weights must be u8 or s8, got "int8"');
    const qintOut = await cli('quantize', mnist, '-o', join(scratch, 'x.qint'), '--onnx-weights', 'u8');
    expect(qintOut.code).toBe(2);
    expect(qintOut.err.trim()).toMatch(/^qint: --onnx-weights is for \.onnx output/);
  });

  it('picks per-layer bits under a budget and writes the HTML report', async () => {
    const out = join(scratch, 'mixed.qint');
    const report = join(scratch, 'report.html');
    const { code, out: stdout, err } = await cli('quantize', mnist, '-o', out, '--budget', '0.5x', '--calibration', calibration, '--samples', '32', '--report', report, '--json');
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(Object.keys(result.plan.layers)).toHaveLength(3);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Per layer');
  });

  it('quantizes statically (QDQ) from calibration data, and onnxruntime runs the result', async () => {
    const out = join(scratch, 'static.onnx');
    const { code, out: stdout } = await cli('quantize', mnist, '-o', out, '--mode', 'static', '--calibration', calibration, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).quantized).toHaveLength(3);
    const session = await ort.InferenceSession.create(out);
    const input = loadTensorPb(join(mnistDir, 'test_data_set_0', 'input_0.pb')).tensor;
    const result = await session.run({ Input3: new ort.Tensor('float32', input.data as Float32Array, [1, 1, 28, 28]) });
    const y = Array.from(result[session.outputNames[0]].data as Float32Array);
    expect(y.indexOf(Math.max(...y))).toBe(2);
    expect(saturationHazards(await loadModel(out))).toEqual([]);
    const missing = await cli('quantize', mnist, '-o', out, '--mode', 'static');
    expect(missing.err.trim()).toBe('qint: --mode static needs --calibration <inputs.npy> to measure activation ranges');
    const notStatic = await cli('quantize', mnist, '-o', out, '--observer', 'entropy');
    expect(notStatic.err.trim()).toBe('qint: --observer and --static-format need --mode static');
  });

  it('quantizes statically to QOperator with an outlier-clipping observer, and onnxruntime runs the result', async () => {
    const out = join(scratch, 'static-qop.onnx');
    const { code } = await cli('quantize', mnist, '-o', out, '--mode', 'static', '--observer', 'entropy', '--static-format', 'qoperator', '--calibration', calibration, '--json');
    expect(code).toBe(0);
    const session = await ort.InferenceSession.create(out);
    const input = loadTensorPb(join(mnistDir, 'test_data_set_0', 'input_0.pb')).tensor;
    const result = await session.run({ Input3: new ort.Tensor('float32', input.data as Float32Array, [1, 1, 28, 28]) });
    const y = Array.from(result[session.outputNames[0]].data as Float32Array);
    expect(y.indexOf(Math.max(...y))).toBe(2);
    const bad = await cli('quantize', mnist, '-o', out, '--mode', 'static', '--observer', 'kl', '--calibration', calibration);
    expect(bad.err.trim()).toMatch(/^qint: observer must be one of minmax, moving_average, histogram, percentile, entropy, mse, got "kl"$/);
  });

  it('says what is wrong in one line', async () => {
    const bits = await cli('quantize', mnist, '-o', join(scratch, 'x.qint'), '--weight-bits', '5');
    expect(bits.code).toBe(2); // usage
    expect(bits.err.trim()).toBe('qint: --weight-bits must be 8, 4, 3 or 2, got "5"');
    const budget = await cli('quantize', mnist, '-o', join(scratch, 'x.qint'), '--budget', '100', '--calibration', calibration, '--samples', '4');
    expect(budget.code).toBe(3); // bad input: the budget cannot be met
    expect(budget.err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(budget.err).toMatch(/^qint: budget .* reachable: .* – /);
    const exclude = await cli('quantize', mnist, '-o', join(scratch, 'x.qint'), '--exclude', 'NoSuchNode');
    expect(exclude.code).toBe(3);
    expect(exclude.err).toMatch(/NoSuchNode/);
    expect(existsSync(join(scratch, 'x.qint'))).toBe(false);
  });
});

describe('qint sensitivity', () => {
  it('prints a per-layer table of damage and bytes', async () => {
    const { code, out } = await cli('sensitivity', mnist, '--calibration', calibration, '--samples', '16', '--bits', '4,8', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.metric).toBe('kl');
    expect(result.layers).toHaveLength(3);
    const ids = (layer: { candidates: { id: string }[] }) => layer.candidates.map((c) => c.id);
    // The two convs have no per-block form; the MatMul (10 outputs) has both.
    const [conv1, conv2, fc] = result.layers;
    expect(ids(conv1)).toEqual(['float', 'int8-per-channel', 'int4-per-channel']);
    expect(ids(conv2)).toEqual(['float', 'int8-per-channel', 'int4-per-channel']);
    expect(ids(fc)).toEqual(['float', 'int8-per-channel', 'int4-per-channel', 'int4-block32']);
    const text = await cli('sensitivity', mnist, '--bits', '2,8');
    expect(text.out).toMatch(/damage \(weight-error\)/);
  });

  it('measures the wider search set (blocks 64/128, MSE-clipped weights) with --candidates search', async () => {
    const { code, out } = await cli('sensitivity', mnist, '--bits', '2', '--candidates', 'search', '--json');
    expect(code).toBe(0);
    const [conv1, , fc] = JSON.parse(out).layers as { candidates: { id: string; clip?: string }[] }[];
    expect(conv1.candidates.map((c) => c.id)).toEqual(['float', 'int2-per-channel', 'int2-per-channel-mse']);
    expect(fc.candidates.map((c) => c.id)).toEqual(['float', ...['per-channel', 'block32', 'block64', 'block128'].flatMap((g) => [`int2-${g}`, `int2-${g}-mse`])]);
    expect(fc.candidates.filter((c) => c.clip === 'mse')).toHaveLength(4);
    const bad = await cli('sensitivity', mnist, '--candidates', 'all');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--candidates must be default or search/);
  });
});
