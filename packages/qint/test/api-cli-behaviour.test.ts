// Silent wrong behaviour (issue 19, group 2): every case here used to do something other than asked without a word.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel } from '@qint/onnx';
import { loadTensorPb } from '@qint/onnx';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createSession, GraphError, InferenceSession, InputError, loadModel, quantize, run, Tensor } from '../src/index';
import { cli } from './cli-helpers';

const mnistDir = join(__dirname, '__fixtures__', 'mnist-8');
const mnist = join(mnistDir, 'model.onnx');
const input = loadTensorPb(join(mnistDir, 'test_data_set_0', 'input_0.pb')).tensor;
const scratch = mkdtempSync(join(tmpdir(), 'qint-behaviour-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error');
}

describe('backends by name', () => {
  it("createSession takes 'wasm' and 'js' by name and gives the same outputs as run; InferenceSession.create refuses 'wasm'", async () => {
    const model = await loadModel(mnist);
    const byName = (await createSession(model, { backend: 'wasm' })).run({ Input3: input }).Plus214_Output_0;
    const js = (await createSession(model, { backend: 'js' })).run({ Input3: input }).Plus214_Output_0;
    const viaRun = (await run(model, { Input3: input }, { backend: 'wasm' })).Plus214_Output_0;
    expect(Array.from(byName.data as Float32Array)).toEqual(Array.from(viaRun.data as Float32Array));
    // Float conv/GEMM: WASM and JS agree to float rounding (the outputs of mnist-8 are logits of size ~10).
    (byName.data as Float32Array).forEach((v, i) => expect(Math.abs(v - (js.data as Float32Array)[i])).toBeLessThan(1e-3));
    expect(thrown(() => InferenceSession.create(model, { backend: 'wasm' as never }))).toBeInstanceOf(GraphError);
    await expect(createSession(model, { backend: 'gpu' as never })).rejects.toThrow(/backend must be "js" or "wasm", got "gpu"/);
  });
});

describe('library errors name the argument', () => {
  it('run(model, tensor), quantize(model, { weightBits: 5 })', async () => {
    const model = await loadModel(mnist);
    await expect(run(model, input as never, { backend: 'js' })).rejects.toThrow('run: feeds must be an object of tensors by input name, { Input3: tensor }; got a Tensor');
    await expect(quantize(model, { weightBits: 5 as never })).rejects.toThrow(new InputError('weightBits must be one of 8, 4, 3, 2, got 5'));
    await expect(quantize(model, { blockSize: 0 })).rejects.toThrow(/blockSize must be a positive integer, got 0/);
    expect(() => Tensor.from(new Float32Array(4) as never, [2, 2], undefined as never)).toThrow(/Tensor.from\(dtype, shape, data\): dtype must be a dtype name/);
  });
});

describe('budgets are limits in the bytes reported', () => {
  it('a budget equal to the uniform 3-bit model as reported is never exceeded', async () => {
    const model = await loadModel(mnist);
    for (const bits of [3, 4, 2] as const) {
      const uniform = (await quantize(model, { weightBits: bits })).report.weightBytesAfter;
      const { report } = await quantize(model, { budget: uniform, backend: 'js' });
      expect(report.weightBytesAfter, `${bits}-bit: ${uniform}`).toBeLessThanOrEqual(uniform);
    }
  });

  it('a budget above the float model is met by the float model, and float layers say the plan kept them', async () => {
    const model = await loadModel(mnist);
    const big = await quantize(model, { budget: '50x', backend: 'js' });
    expect(big.report.quantized).toHaveLength(0);
    expect(big.report.skipped.map((s) => s.reason)).toEqual(['the plan keeps it float', 'the plan keeps it float', 'the plan keeps it float']);
    const two = await quantize(model, { budget: '2x', backend: 'js' });
    expect(two.report.skipped.length).toBeGreaterThan(0);
    for (const s of two.report.skipped) expect(s.reason).toBe('the plan keeps it float (least damage within the budget)');
  });

  it('target and bits restrict the candidates to what the output can hold', async () => {
    const model = await loadModel(mnist);
    const holds = (target: 'onnx-standard' | 'onnx-matmulnbits') => async (budget: string) => {
      const r = await quantize(model, { budget, target, backend: 'js' });
      for (const l of r.mixedPrecision!.table.layers) {
        for (const c of l.candidates) {
          if (c.granularity === ('float' as string)) continue;
          if (target === 'onnx-standard' || l.name.startsWith('Convolution')) expect(c.bits === 8 && c.granularity !== 'per-block', `${l.name} ${c.id}`).toBe(true);
          else expect(c.bits === 8 ? c.granularity !== 'per-block' : (c.bits === 4 || c.bits === 2) && c.granularity === 'per-block', `${l.name} ${c.id}`).toBe(true);
        }
      }
      return r;
    };
    await holds('onnx-standard')('1x');
    await holds('onnx-matmulnbits')('0.8x');
    const r = await quantize(model, { budget: '0.6x', bits: [4, 8], backend: 'js' });
    for (const l of r.mixedPrecision!.table.layers) for (const c of l.candidates) expect([4, 8, 32]).toContain(c.granularity === ('float' as string) ? 32 : c.bits);
  });
});

describe('CLI', () => {
  it('refuses -o x.txt, warns on --batch for a fixed batch, shows bits and scheme per layer', async () => {
    const txt = await cli('quantize', mnist, '-o', join(scratch, 'x.txt'));
    expect(txt.code).toBe(2);
    expect(txt.err.trim()).toMatch(/^qint: -o .*x\.txt: the output must end in \.qint .* or \.onnx/);
    const bench = await cli('bench', mnist, '--batch', '64', '--iterations', '1', '--backend', 'js', '--json');
    expect(bench.code).toBe(0);
    expect(JSON.parse(bench.out).batch).toBe(1);
    expect(bench.err).toContain('qint: warning: batch 64 cannot apply: input "Input3" has a fixed batch dim ([1,1,28,28]); benchmarking batch 1');
    const q3 = join(scratch, 'q3.qint');
    expect((await cli('quantize', mnist, '-o', q3, '--weight-bits', '3')).code).toBe(0);
    const shown = await cli('inspect', q3);
    expect(shown.out).toMatch(/Convolution110\S*\s+DynamicConv\s+\S+\s+\S+ KB\s+3-bit per-channel\s+uint8, float32/);
    const layers = JSON.parse((await cli('inspect', q3, '--json')).out).layers;
    expect(layers.filter((l: { opType: string }) => l.opType.startsWith('Dynamic')).map((l: { weightBits: number; scheme: string }) => [l.weightBits, l.scheme])).toEqual([[3, 'per-channel'], [3, 'per-channel'], [3, 'per-channel']]);
  });

  it('--budget with .onnx searches only what MatMulNBits holds, and the file lists only real inputs', async () => {
    const out = join(scratch, 'mixed.onnx');
    const r = await cli('quantize', mnist, '-o', out, '--budget', '0.8x', '--json', '--backend', 'js');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/note: --budget with \.onnx output searches what com\.microsoft MatMulNBits holds/);
    const plan = JSON.parse(r.out).plan.layers as Record<string, string>;
    for (const [layer, id] of Object.entries(plan)) {
      if (layer.startsWith('Convolution')) expect(['float', 'int8-per-channel']).toContain(id);
      else expect(id).toMatch(/^(float|int8-per-channel|int[42]-block(32|64|128))$/);
    }
    // mnist-8 lists its 8 initializers as graph inputs; what qint writes lists only Input3.
    expect(decodeModel(readFileSync(out)).graph.inputs.map((i) => i.name)).toEqual(['Input3']);
    const session = await ort.InferenceSession.create(out);
    expect(session.inputNames).toEqual(['Input3']);
    const y = await session.run({ Input3: new ort.Tensor('float32', input.data as Float32Array, [1, 1, 28, 28]) });
    expect(y[session.outputNames[0]].dims).toEqual([1, 10]);
  });
});



describe('qint quantize --report', () => {
  it('measures latency, and accuracy when labels are given; says what is missing; damage has a unit', async () => {
    const { loadMnistTest } = await import('./mnist');
    const { writeNpy } = await import('../src/index');
    const { writeFileSync } = await import('node:fs');
    const { images, labels } = loadMnistTest();
    const x = join(scratch, 'x64.npy');
    const y = join(scratch, 'y64.npy');
    writeFileSync(x, writeNpy(images.slice([0], [64])));
    writeFileSync(y, writeNpy(labels.slice([0], [64])));
    const report = join(scratch, 'r.html');
    const r = await cli('quantize', mnist, '-o', join(scratch, 'r.qint'), '--budget', '0.6x', '--calibration', x, '--samples', '16', '--labels', y, '--report', report, '--backend', 'js');
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(report, 'utf8');
    const rows = [...html.matchAll(/<tr><td>(float weights|quantized weights)<\/td>(.*?)<\/tr>/g)].map((m) => [...m[2].matchAll(/<td class="n">([^<]*)<\/td>/g)].map((c) => c[1]));
    expect(rows).toHaveLength(2);
    for (const cells of rows) {
      expect(cells[2]).toMatch(/^\d+\.\d\d%$/); // accuracy on the 64 labelled samples
      expect(cells[3]).toMatch(/^\d+\.\d{3} ms$/); // js latency
    }
    // mnist-8 float gets all 64 of the first test digits right but one at most (98.9% on the 10,000).
    expect(Number(rows[0][2].slice(0, -1))).toBeGreaterThanOrEqual(96);
    expect(html).toContain('Accuracy on 64 labelled samples.');
    expect(html).toMatch(/Damage: mean squared error of the first output vs float, on the calibration samples; summed over layers, 0 = unchanged, lower is better\./);
    expect(html).toContain('<meta name="viewport"');
    const bare = await cli('quantize', mnist, '-o', join(scratch, 'r2.qint'), '--report', join(scratch, 'r2.html'), '--backend', 'js');
    expect(bare.code).toBe(0);
    expect(readFileSync(join(scratch, 'r2.html'), 'utf8')).toContain('Accuracy not measured: give --labels y.npy for the --calibration samples (or run qint eval on both models).');
  });
});

describe('graph bytes', () => {
  it('quantize reports the graph section beside the weights, and they add up to at most the file', async () => {
    const out = join(scratch, 'g.qint');
    const r = await cli('quantize', mnist, '-o', out, '--json');
    const j = JSON.parse(r.out);
    const { inspectQint } = await import('../src/index');
    const info = await inspectQint(new Uint8Array(readFileSync(out)));
    expect(j.graphBytes).toBe(info.headerByteLength);
    expect(j.graphBytes + j.weightBytesAfter).toBeLessThanOrEqual(j.fileBytes);
    const text = await cli('quantize', mnist, '-o', out);
    expect(text.out).toMatch(/wrote .*g\.qint \([\d.]+ KB: graph [\d.]+ KB, weights [\d.]+ KB\)/);
  });
});
