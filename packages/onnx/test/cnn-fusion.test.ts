// The executor's CNN fusions end to end on the real cnn-bn fixture, against onnxruntime-node (which folds and fuses
// the same patterns at its full optimization level): Conv → Relu → BatchNormalization (the fixture as exported: the
// BN becomes the conv's epilogue) and a variant rewired to Conv → BatchNormalization → Relu (the BN folds into the
// conv weights), at batch 64, on the JS and WASM backends, with the fusions on and off.
import { join } from 'node:path';
import { createSession, type Model } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel, loadModel, loadTestCase } from '../src/index';
import { BACKENDS } from './helpers/backends';

const DIR = join(__dirname, '__fixtures__', 'torch', 'cnn-bn');
const model = loadModel(join(DIR, 'model.onnx'));
const four = loadTestCase(DIR).dataSets[0].inputs[0].tensor!;
const x = Tensor.from('float32', [64, 1, 28, 28], Float32Array.from({ length: 64 * 784 }, (_, i) => four.data[i % four.size] as number));

/** The fixture with block 2 rewired from Conv → Relu → BN to Conv → BN → Relu (same weights). */
function convBnRelu(m: Model): Model {
  const nodes = m.graph.nodes.slice();
  const r = nodes.findIndex((n) => n.opType === 'Relu' && n.name.includes('block2'));
  const b = nodes.findIndex((n) => n.opType === 'BatchNormalization');
  const relu = nodes[r];
  const bn = nodes[b];
  const convOut = relu.inputs[0];
  const bnOut = bn.outputs[0];
  nodes[r] = { ...bn, inputs: [convOut, ...bn.inputs.slice(1)], outputs: ['bn_out'] };
  nodes[b] = { ...relu, inputs: ['bn_out'], outputs: [bnOut] };
  return { ...m, graph: { ...m.graph, nodes } };
}

async function ortRun(m: Model): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(m), { graphOptimizationLevel: 'all', intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i] - want[i]) <= 1e-4 + 1e-4 * Math.abs(want[i]))) bad.push(`[${i}] ${got[i]} vs ORT ${want[i]}`);
  expect(bad.slice(0, 5), `${what}: ${bad.length} differ`).toEqual([]);
}

describe('cnn-bn with BatchNormalization fusions against onnxruntime-node (batch 64, 1e-4)', () => {
  for (const [name, variant] of [['as exported (Conv → Relu → BN)', model], ['rewired Conv → BN → Relu', convBnRelu(model)]] as const) {
    it.each(BACKENDS)(`${name} on %s`, async (_backend, get) => {
      const backend = await get();
      const want = await ortRun(variant);
      const opts = typeof backend === 'string' ? {} : { backend };
      const fused = createSession(variant, opts);
      const kept = createSession(variant, { ...opts, foldBatchNorm: false });
      const plain = createSession(variant, { ...opts, fuse: false });
      const out = (s: ReturnType<typeof createSession>) => Object.values(s.run({ input: x }))[0].data as Float32Array;
      const [a, b, c] = [out(fused), out(kept), out(plain)];
      // Conv(+Relu)(+BN)(+MaxPool) → Conv(+Relu)(+BN)(+MaxPool) → Flatten → Gemm after fusion.
      expect(fused.lastRunStats.nodesRun).toBe(4);
      expectClose(a, want, 'fused');
      expectClose(b, want, 'foldBatchNorm: false');
      expectClose(c, want, 'fuse: false');
      // Without the weight fold every fusion keeps the unfused graph's arithmetic on the same backend.
      expect(Array.from(b)).toEqual(Array.from(c));
    });
  }
});
