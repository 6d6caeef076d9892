// The real-graphs corpus (test/__fixtures__/real-graphs, made by make_corpus.py): ONNX files as exporters really write
// them. Each runs in float as onnxruntime does (outputs recorded by record-ort.mjs), quantizes and runs within int8
// error, and survives .qint and .onnx round trips unchanged; exports that raise the opset run in onnxruntime too.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantizeDynamic } from '@qint/dynamic';
import { createSession, type Model } from '@qint/graph';
import { createJsBackend } from '@qint/kernels';
import { convertOpsets, decodeModel, encodeModel, OpsetConversionError } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, readNpy, resolveBackend, saveModel } from '../src/index';
import { cli } from './cli-helpers';

const DIR = join(__dirname, '__fixtures__', 'real-graphs');
const scratch = mkdtempSync(join(tmpdir(), 'qint-real-graphs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Outputs = Record<string, Tensor>;

function feedsOf(base: string, model: Model): Outputs {
  const feeds: Outputs = {};
  for (const vi of model.graph.inputs) {
    if (model.graph.initializers.has(vi.name)) continue;
    feeds[vi.name] = readNpy(readFileSync(join(DIR, `${base}.${vi.name}.npy`)));
  }
  return feeds;
}

function ortOutputs(base: string, model: Model): Outputs {
  const out: Outputs = {};
  for (const vi of model.graph.outputs) out[vi.name] = readNpy(readFileSync(join(DIR, `${base}.ort.${vi.name}.npy`)));
  return out;
}

function run(model: Model, feeds: Outputs): Outputs {
  return createSession(model, { backend: createJsBackend() }).run(feeds);
}

/** Largest |a − b| / max(1, |b|) over every output (integer outputs must match exactly). */
function maxRelDiff(a: Outputs, b: Outputs): number {
  let worst = 0;
  for (const [name, expected] of Object.entries(b)) {
    const actual = a[name];
    expect(actual, `output ${name}`).toBeDefined();
    expect(actual.shape, `output ${name} shape`).toEqual(expected.shape);
    if (expected.dtype === 'int64') {
      expect(Array.from(actual.data as BigInt64Array), `output ${name}`).toEqual(Array.from(expected.data as BigInt64Array));
      continue;
    }
    const x = actual.data as Float32Array;
    const y = expected.data as Float32Array;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i])));
  }
  return worst;
}

/** int8 error: the largest difference relative to the output's own range, float outputs only. */
function int8Error(a: Outputs, b: Outputs): number {
  let worst = 0;
  for (const [name, expected] of Object.entries(b)) {
    if (expected.dtype !== 'float32') continue;
    const x = a[name].data as Float32Array;
    const y = expected.data as Float32Array;
    let range = 0;
    for (const v of y) range = Math.max(range, Math.abs(v));
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(range, 1e-6));
  }
  return worst;
}

function identical(a: Outputs, b: Outputs): void {
  for (const [name, t] of Object.entries(b)) {
    expect(a[name].dtype).toBe(t.dtype);
    expect(a[name].shape).toEqual(t.shape);
    expect(Array.from(a[name].data as ArrayLike<number | bigint>), name).toEqual(Array.from(t.data as ArrayLike<number | bigint>));
  }
}

async function runOrt(bytes: Uint8Array, feeds: Outputs): Promise<Outputs> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', v.data as Float32Array, v.shape);
  const out = await session.run(ortFeeds);
  const result: Outputs = {};
  for (const name of session.outputNames) {
    const o = out[name];
    result[name] = Tensor.from(o.type === 'int64' ? 'int64' : 'float32', [...o.dims], o.data as Float32Array);
  }
  return result;
}

const CORPUS = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -'.onnx'.length)).sort();
const OLD_OPSETS = CORPUS.filter((b) => b.startsWith('opset'));

describe.each(CORPUS)('real graph %s', (base) => {
  const model = decodeModel(readFileSync(join(DIR, `${base}.onnx`)));
  const feeds = feedsOf(base, model);
  const expected = ortOutputs(base, model);

  it('runs in float as onnxruntime does (rel 1e-4), on the js and wasm backends', async () => {
    expect(maxRelDiff(run(model, feeds), expected)).toBeLessThan(1e-4);
    expect(maxRelDiff(createSession(model, { backend: await resolveBackend('wasm') }).run(feeds), expected)).toBeLessThan(1e-4);
  });

  it('quantizes (int8 dynamic) and runs within int8 error; .qint and .onnx round trips are identical', async () => {
    const { model: q, report } = quantizeDynamic(model);
    expect(report.quantized.length).toBeGreaterThan(0);
    const out = run(q, feeds);
    expect(int8Error(out, expected)).toBeLessThan(0.06);
    // Integer kernels are bit-identical across backends; the float ops around them are the same code.
    identical(createSession(q, { backend: await resolveBackend('wasm') }).run(feeds), out);
    const qintPath = join(scratch, `${base}.qint`);
    await saveModel(q, qintPath);
    identical(run(await loadModel(qintPath), feeds), out);
    const onnxPath = join(scratch, `${base}.q.onnx`);
    await saveModel(q, onnxPath);
    const back = await loadModel(onnxPath);
    const again = run(back, feeds);
    // The ONNX form of qint's quantized ops is the standard integer pattern: the same integers, float ops in another order.
    expect(maxRelDiff(again, out)).toBeLessThan(1e-5);
    // onnxruntime runs the exported file (its opset raised to 11 for the integer ops, old nodes converted) and gets
    // qint's quantized outputs: the uint8 weights of the default export are exact in onnxruntime on every CPU.
    expect(maxRelDiff(await runOrt(readFileSync(onnxPath), feeds), out)).toBeLessThan(1e-4);
  });
});

describe.each(OLD_OPSETS)('old-opset graph %s exported at a newer opset', (base) => {
  const model = decodeModel(readFileSync(join(DIR, `${base}.onnx`)));
  const feeds = feedsOf(base, model);
  const expected = ortOutputs(base, model);
  const from = model.opsetImports[''];

  it.each([11, 13, 18, 21].filter((v) => v > from))('keeps its meaning at opset %i: onnxruntime and qint agree with the original', async (opset) => {
    const raised: Model = { ...model, irVersion: Math.max(model.irVersion, 8), opsetImports: { ...model.opsetImports, '': opset } };
    // Raising the opset in memory changes nothing: each node is pinned to the version it was read at.
    expect(maxRelDiff(run(raised, feeds), expected)).toBeLessThan(1e-4);
    const bytes = encodeModel(raised);
    expect(maxRelDiff(await runOrt(bytes, feeds), expected)).toBeLessThan(1e-4);
    const back = decodeModel(bytes);
    for (const n of back.graph.nodes) expect(n.sinceVersion, `${n.opType} "${n.name}"`).toBeLessThanOrEqual(opset);
    expect(maxRelDiff(run(back, feeds), expected)).toBeLessThan(1e-4);
  });
});

describe('opset pinning', () => {
  it('pins each node to the schema version of its opset at import, in the IR and in .qint', async () => {
    const model = decodeModel(readFileSync(join(DIR, 'opset9-slice-pad-clip.onnx')));
    const since = Object.fromEntries(model.graph.nodes.map((n) => [n.name, n.sinceVersion]));
    // ONNX's changelog: Slice 1/10/11/13, Clip 1/6/11, Pad 1/2/11, Softmax 1/11/13, TopK 1/10/11, MatMul 1/9/13.
    expect(since).toMatchObject({ 'p2o.Slice.0': 1, clip: 6, pad: 2, softmax: 1, topk: 1, matmul: 9, split: 2, unsq: 1 });
    const path = join(scratch, 'pinned.qint');
    await saveModel(quantizeDynamic(model).model, path);
    const loaded = await loadModel(path);
    expect(loaded.graph.nodes.find((n) => n.name === 'p2o.Slice.0')!.sinceVersion).toBe(1);
    // Raising the opset (as the ONNX form of the quantized model does) leaves the pinned node alone.
    const raised = { ...loaded, opsetImports: { ...loaded.opsetImports, '': 13 } };
    expect(raised.graph.nodes.find((n) => n.name === 'p2o.Slice.0')!.sinceVersion).toBe(1);
  });

  it('exports Slice-1 in its opset-11 form (starts, ends and axes as inputs)', () => {
    const model = decodeModel(readFileSync(join(DIR, 'opset9-slice-pad-clip.onnx')));
    const converted = convertOpsets({ ...model, opsetImports: { '': 11 } });
    const slice = converted.graph.nodes.find((n) => n.name === 'p2o.Slice.0')!;
    expect(slice.sinceVersion).toBe(11);
    expect(slice.inputs).toHaveLength(4);
    expect(Object.keys(slice.attributes)).toEqual([]);
    expect(Array.from(converted.graph.initializers.get(slice.inputs[1])!.data as BigInt64Array)).toEqual([0n, 2n]);
    const clip = converted.graph.nodes.find((n) => n.name === 'clip')!;
    expect(Array.from(converted.graph.initializers.get(clip.inputs[1])!.data as Float32Array)).toEqual([-0.5]);
  });

  it('refuses, with a named error, a node it cannot convert', () => {
    const model = decodeModel(readFileSync(join(DIR, 'opset7-upsample-bn.onnx')));
    // BatchNormalization-7 with spatial = 0 has no BatchNormalization-9 equivalent.
    const nodes = model.graph.nodes.map((n) => (n.name === 'bn' ? { ...n, attributes: { ...n.attributes, spatial: { type: 'int' as const, value: 0 } } } : n));
    const bad: Model = { ...model, opsetImports: { '': 11 }, graph: { ...model.graph, nodes } };
    expect(() => encodeModel(bad)).toThrow(OpsetConversionError);
    expect(() => encodeModel(bad)).toThrow(/^BatchNormalization "bn": cannot convert BatchNormalization-7 to opset 11 \(BatchNormalization-9\): spatial = 0 has no equivalent in BatchNormalization-9$/);
    // Pad-1 (a `paddings` attribute) has no conversion to Pad-2 in ONNX's version converter either.
    const pad = decodeModel(readFileSync(join(DIR, 'opset9-slice-pad-clip.onnx')));
    const pad1 = pad.graph.nodes.map((n) => (n.name === 'pad' ? { ...n, sinceVersion: 1 } : n));
    const old: Model = { ...pad, opsetImports: { '': 11 }, graph: { ...pad.graph, nodes: pad1 } };
    expect(() => encodeModel(old)).toThrow(/^Pad "pad": cannot convert Pad-1 to opset 11 \(Pad-2\): ONNX defines no conversion from Pad-1 to Pad-2$/);
  });
});

describe('unsorted nodes and empty types', () => {
  it('sorts nodes at import, keeping the given order where it is valid', () => {
    const model = decodeModel(readFileSync(join(DIR, 'shuffled-order.onnx')));
    // Given order: sum, fc1, cut, relu0, tanh, fc0, bias0 (make_corpus.py); each node goes as early as its inputs allow.
    expect(model.graph.nodes.map((n) => n.name)).toEqual(['fc0', 'bias0', 'relu0', 'fc1', 'tanh', 'cut', 'sum']);
  });

  it('names the nodes of a cycle', () => {
    const model = decodeModel(readFileSync(join(DIR, 'shuffled-order.onnx')));
    const nodes = model.graph.nodes.map((n) => (n.name === 'fc0' ? { ...n, inputs: ['t2', 'w0'] } : n));
    const bytes = encodeModel({ ...model, graph: { ...model.graph, nodes } });
    expect(() => decodeModel(bytes)).toThrow(/nodes form a cycle \(each reads the output of the one before\): Add "bias0" → Tanh "tanh" → Slice "cut" → MatMul "fc0" → Add "bias0"; 7 node\(s\) cannot be ordered$/);
  });

  it('infers the dtype of outputs declared with an empty TypeProto', () => {
    const model = decodeModel(readFileSync(join(DIR, 'empty-types.onnx')));
    // y is declared `type {}`, z with elem_type only: both float32, [n, 4] as MatMul [n, 6]·[6, 9]·[9, 4] gives.
    expect(model.graph.outputs).toEqual([
      { name: 'y', dtype: 'float32', shape: ['n', 4] },
      { name: 'z', dtype: 'float32' },
    ]);
    const session = createSession(model);
    const out = session.run(feedsOf('empty-types', model));
    expect(out.y.dtype).toBe('float32');
  });
});

describe('weights in Constant nodes and constant chains', () => {
  it('inspect counts Constant-node and chained weights as parameters', async () => {
    const { code, out } = await cli('inspect', join(DIR, 'constant-weights.onnx'), '--json');
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    // make_corpus.py: conv 4·1·3·3 + 4, fc0 a 4×8 slice of an 8×8 Constant, fc1/fc2 one shared 8×8 initializer (counted
    // once), Q/K/V three 8×8 parts of one packed 24×8 initializer, head 6×8 + 6 — all float32.
    expect(summary.parameters).toBe(40 + 32 + 64 + 3 * 64 + 54);
    expect(summary.nodeCount).toBe(27);
  });

  it('quantizes every layer whose weight is a constant and reports the real sizes', () => {
    const model = decodeModel(readFileSync(join(DIR, 'constant-weights.onnx')));
    const { report } = quantizeDynamic(model);
    expect(report.skipped).toEqual([]);
    expect(report.quantized.map((q) => q.node).sort()).toEqual(['conv', 'fc0', 'fc1', 'fc2', 'head', 'k_proj', 'q_proj', 'v_proj']);
    // The float file holds 414 float32 weights (158 in Constant nodes, 256 in initializers) and 10 int64 constants.
    expect(report.weightBytesBefore).toBe(4 * (36 + 4 + 64 + 48 + 6 + 64 + 192) + 8 * 10);
    expect(report.weightBytesAfter).toBeLessThan(report.weightBytesBefore / 2);
  });

  it('shrinks the PyTorch TransformerDecoder to about int8 size (packed in_proj_weight sliced for cross-attention)', () => {
    const model = decodeModel(readFileSync(join(DIR, 'torch-transformer-decoder.onnx')));
    const { report } = quantizeDynamic(model);
    const weightLayers = report.quantized.filter((q) => q.granularity !== 'activation').map((q) => q.node);
    // Per layer: self-attention in-projection and out-projection, cross-attention Q, K/V and out-projection, two FFN
    // linears; plus the head.
    expect(weightLayers).toHaveLength(2 * 7 + 1);
    expect(weightLayers).toContain('/decoder/layers.1/multihead_attn/MatMul');
    // 13,072 float parameters: int8 weights, float32 scales and biases (the biases are a sixth of the weights at d = 32).
    expect(report.weightBytesAfter / report.weightBytesBefore).toBeLessThan(0.34);
  });
});
