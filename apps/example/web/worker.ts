// The quantization worker: everything heavy (loading, quantizing, evaluating, predicting) runs here, off the page's
// main thread. The page sends commands and receives progress, results and predictions (see messages.ts).
import { InferenceSession, Tensor, formatBytes, loadModel, quantize, resolveBackend, summarizeModel, serializeModel, type Model } from 'qint';
import { runExperiment } from '../src/experiment';
import type { FromWorker, Prediction, ToWorker } from './messages';
import { summarize } from './summary';

const SAMPLES = 2000;
const post = (message: FromWorker) => (self as unknown as Worker).postMessage(message);
let sessions: { name: string; session: InferenceSession }[] = [];

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function start(dataUrl: string): Promise<void> {
  post({ type: 'progress', stage: 'loading mnist-8 and 2,000 MNIST test digits', fraction: 0 });
  // Fetched relative to the page (a worker's own relative URLs resolve against its script's folder).
  const [onnx, data] = await Promise.all([fetchBytes(new URL('mnist-8.onnx', dataUrl).href), fetchBytes(new URL(`mnist-test-${SAMPLES}.bin`, dataUrl).href)]);
  const model = await loadModel(onnx);
  const images = Tensor.from('uint8', [SAMPLES, 28, 28], data.slice(0, SAMPLES * 784));
  const labels = Tensor.from('uint8', [SAMPLES], data.slice(SAMPLES * 784));
  const result = await runExperiment(model, onnx.byteLength, images, labels, {
    calibrationSamples: 128,
    frontierPoints: 6,
    latencyIterations: 20,
    onProgress: (stage, fraction) => post({ type: 'progress', stage, fraction }),
  });
  const wasm = await resolveBackend('wasm');
  const pick = ['float32 (ONNX)', 'int8 per-channel', 'mixed @ 50% of int8'];
  sessions = pick.map((name) => ({ name, session: InferenceSession.create(result.models[name], { backend: wasm }) }));
  post({ type: 'done', summary: summarize(result) });
}

function predict(pixels: Float32Array): Prediction[] {
  const input = Tensor.from('float32', [1, 1, 28, 28], pixels);
  return sessions.map(({ name, session }) => {
    const logits = Object.values(session.run({ [session.inputNames[0]]: input }))[0].toArray();
    const max = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    const digit = logits.indexOf(max);
    return { model: name, digit, confidence: exps[digit] / sum };
  });
}

async function inspect(name: string, bytes: ArrayBuffer): Promise<string> {
  const model: Model = await loadModel(bytes);
  const s = summarizeModel(model);
  const { model: int8, report } = await quantize(model);
  const qbytes = (await serializeModel(int8)).byteLength;
  return [
    `${name}: ${s.nodeCount} nodes, ${s.parameters.toLocaleString('en-US')} parameters (${formatBytes(s.parameterBytes)})`,
    `inputs: ${s.inputs.map((i) => `${i.name} ${i.dtype} [${Array.isArray(i.shape) ? i.shape.join(', ') : '?'}]`).join('; ')}`,
    `ops: ${Object.entries(s.ops).map(([op, n]) => `${op} ${n}`).join(', ')}`,
    `int8 dynamic: ${report.quantized.length} layers quantized, ${report.skipped.length} kept float; weights ${formatBytes(report.weightBytesBefore)} → ${formatBytes(report.weightBytesAfter)}; .qint file ${formatBytes(qbytes)}`,
    ...report.skipped.map((k) => `  kept float: ${k.node} (${k.opType}): ${k.reason}`),
  ].join('\n');
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  const fail = (error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  try {
    if (message.type === 'start') start(message.dataUrl).catch(fail);
    else if (message.type === 'predict') post({ type: 'predictions', predictions: predict(message.pixels) });
    else if (message.type === 'inspect') inspect(message.name, message.bytes).then((text) => post({ type: 'inspected', text }), fail);
  } catch (error) {
    fail(error);
  }
};
