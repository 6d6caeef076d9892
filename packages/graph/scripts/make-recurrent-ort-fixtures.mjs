// Dev-only: single LSTM / GRU / RNN nodes over the attribute matrix (directions, sequence_lens, initial states,
// peepholes, clip, activations with alpha/beta, input_forget, linear_before_reset, layout, omitted outputs, weights
// fed at run time), run in onnxruntime-node (the float oracle); writes inputs and ORT's outputs to
// test/__fixtures__/recurrent-ort-cases.json for test/recurrent-ort.test.ts.
// onnxruntime's CPU kernels refuse layout 1: those cases run ORT on the layout-0 node with X, initial_h/c transposed
// and transpose its outputs back (the layout is only a reordering of axes).
//   node scripts/make-recurrent-ort-fixtures.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Tensor } from '@qint/tensor';
import { encodeOnnx as encodeModel } from './encode-onnx.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let seed = 20261208;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const randn = (n, s = 1) => Array.from({ length: n }, () => Math.fround(s * (2 * rand() - 1)));
const T = (dtype, shape, values) => ({ dtype, shape, values });
const A = {
  int: (value) => ({ type: 'int', value }),
  float: (value) => ({ type: 'float', value }),
  str: (value) => ({ type: 'string', value }),
  strs: (value) => ({ type: 'strings', value }),
  floats: (value) => ({ type: 'floats', value }),
};
const GATES = { LSTM: 4, GRU: 3, RNN: 1 };

const cases = [];
/**
 * One case. opts: dir, seq, batch, input, hidden, bias, lens, initH, initC, peep, attrs, outputs (names, '' omitted),
 * fed (W/R/B fed as graph inputs instead of initializers), layout, scale (weight magnitude).
 */
function add(name, op, o = {}) {
  const dirs = o.dir === 'bidirectional' ? 2 : 1;
  const { seq = 5, batch = 2, input = 3, hidden = 4, layout = 0, scale = 0.6 } = o;
  const G = GATES[op];
  const xShape = layout === 0 ? [seq, batch, input] : [batch, seq, input];
  const stateShape = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  const tensors = {
    X: T('float32', xShape, randn(seq * batch * input, 1.5)),
    W: T('float32', [dirs, G * hidden, input], randn(dirs * G * hidden * input, scale)),
    R: T('float32', [dirs, G * hidden, hidden], randn(dirs * G * hidden * hidden, scale)),
  };
  if (o.bias) tensors.B = T('float32', [dirs, 2 * G * hidden], randn(dirs * 2 * G * hidden, 0.5));
  if (o.lens) tensors.sequence_lens = T('int32', [batch], o.lens);
  if (o.initH) tensors.initial_h = T('float32', stateShape, randn(dirs * batch * hidden));
  if (o.initC) tensors.initial_c = T('float32', stateShape, randn(dirs * batch * hidden));
  if (o.peep) tensors.P = T('float32', [dirs, 3 * hidden], randn(dirs * 3 * hidden));
  const slots = op === 'LSTM' ? ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'] : ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'];
  const order = slots.map((s) => (tensors[s] ? s : ''));
  while (order[order.length - 1] === '') order.pop();
  const constants = o.fed ? [] : ['W', 'R', 'B', 'P'];
  const init = {};
  const inputs = {};
  for (const [k, v] of Object.entries(tensors)) (constants.includes(k) ? init : inputs)[k] = v;
  const attributes = { hidden_size: A.int(hidden), ...(o.dir ? { direction: A.str(o.dir) } : {}), ...(layout ? { layout: A.int(1) } : {}), ...(o.attrs ?? {}) };
  const outputs = o.outputs ?? (op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h']);
  cases.push({ name, opType: op, opset: 14, attributes, inputs, init, order, outputs, layout });
}

// Permutes a row-major tensor spec's axes.
function transpose(spec, perm) {
  const shape = perm.map((p) => spec.shape[p]);
  const strides = spec.shape.map((_, i) => spec.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const n = spec.values.length;
  const values = new Array(n);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d] * strides[perm[d]];
    values[i] = spec.values[src];
    for (let d = shape.length - 1; d >= 0; d--) if (++idx[d] < shape[d]) break; else idx[d] = 0;
  }
  return { ...spec, shape, values };
}

for (const op of ['LSTM', 'GRU', 'RNN']) {
  const l = op.toLowerCase();
  add(`${l}_forward_defaults`, op);
  add(`${l}_forward_bias_initial`, op, { bias: true, initH: true, initC: true });
  add(`${l}_reverse_lens_initial`, op, { dir: 'reverse', batch: 3, bias: true, lens: [5, 2, 3], initH: true, initC: true });
  add(`${l}_bidirectional_lens`, op, { dir: 'bidirectional', batch: 3, bias: true, lens: [4, 5, 1], initH: true, initC: true });
  add(`${l}_bidirectional_layout1`, op, { dir: 'bidirectional', batch: 3, layout: 1, bias: true, lens: [3, 5, 2], initH: true, initC: true });
  add(`${l}_clip`, op, { dir: 'bidirectional', bias: true, scale: 3, attrs: { clip: A.float(0.7) } });
  add(`${l}_weights_fed`, op, { dir: 'bidirectional', bias: true, fed: true, initH: true });
  add(`${l}_only_last_state`, op, { dir: 'reverse', bias: true, outputs: op === 'LSTM' ? ['', 'Y_h'] : ['', 'Y_h'] });
  add(`${l}_only_sequence`, op, { bias: true, outputs: ['Y'] });
  add(`${l}_batch1_long`, op, { seq: 12, batch: 1, input: 5, hidden: 6, bias: true });
}
add('lstm_peepholes', 'LSTM', { dir: 'bidirectional', batch: 3, bias: true, lens: [5, 3, 4], initH: true, initC: true, peep: true });
add('lstm_input_forget_peepholes', 'LSTM', { bias: true, peep: true, initC: true, attrs: { input_forget: A.int(1) } });
add('lstm_only_cell', 'LSTM', { bias: true, outputs: ['', '', 'Y_c'] });
add('lstm_activations_alpha_beta', 'LSTM', {
  dir: 'bidirectional', bias: true, scale: 1.5,
  attrs: {
    activations: A.strs(['HardSigmoid', 'LeakyRelu', 'Softsign', 'Sigmoid', 'ScaledTanh', 'Affine']),
    activation_alpha: A.floats([0.3, 0.05, 0.8, 1.2]),
    activation_beta: A.floats([0.4, 1.1, 0.25]),
  },
});
add('lstm_activations_elu_softplus', 'LSTM', { bias: true, attrs: { activations: A.strs(['Sigmoid', 'Elu', 'Softplus']), activation_alpha: A.floats([0.7]) } });
add('gru_linear_before_reset', 'GRU', { dir: 'bidirectional', batch: 3, bias: true, lens: [5, 2, 4], initH: true, attrs: { linear_before_reset: A.int(1) } });
add('gru_linear_before_reset_layout1', 'GRU', { dir: 'reverse', layout: 1, bias: true, initH: true, attrs: { linear_before_reset: A.int(1) } });
add('gru_activations', 'GRU', { bias: true, scale: 1.5, attrs: { activations: A.strs(['HardSigmoid', 'Relu']), activation_alpha: A.floats([0.25]), activation_beta: A.floats([0.45]) } });
add('gru_clip_lbr', 'GRU', { bias: true, scale: 3, attrs: { clip: A.float(0.5), linear_before_reset: A.int(1) } });
add('rnn_relu', 'RNN', { dir: 'bidirectional', bias: true, attrs: { activations: A.strs(['Relu', 'Relu']) } });
add('rnn_thresholded_relu', 'RNN', { bias: true, scale: 1.5, attrs: { activations: A.strs(['ThresholdedRelu']), activation_alpha: A.floats([0.2]) } });

function toTensor({ dtype, shape, values }) {
  return Tensor.from(dtype, shape, dtype === 'int64' ? values.map((v) => BigInt(v)) : values);
}

const out = [];
for (const c of cases) {
  // ORT side: layout 1 becomes layout 0 with transposed X / states.
  const lay1 = c.layout === 1;
  const conv = (k, v) => (lay1 && (k === 'X' || k === 'initial_h' || k === 'initial_c') ? transpose(v, [1, 0, 2]) : v);
  const attributes = { ...c.attributes };
  delete attributes.layout;
  const ortOutputs = c.outputs.map((n, i) => (n === '' ? '' : `out${i}`));
  const node = { name: c.name, opType: c.opType, domain: '', inputs: c.order, outputs: ortOutputs, attributes };
  const graph = {
    name: c.name,
    nodes: [node],
    initializers: new Map(Object.entries(c.init).map(([k, v]) => [k, toTensor(v)])),
    inputs: Object.entries(c.inputs).map(([name, v]) => ({ name, dtype: v.dtype, shape: conv(name, v).shape })),
    outputs: ortOutputs.filter((n) => n !== '').map((name) => ({ name })),
    valueInfo: [],
  };
  const model = { irVersion: 9, opsetImports: { '': c.opset }, producerName: 'qint-fixtures', producerVersion: '0', metadata: {}, graph };
  const session = await ort.InferenceSession.create(encodeModel(model));
  const feeds = {};
  for (const [name, v] of Object.entries(c.inputs)) {
    const s = conv(name, v);
    feeds[name] = new ort.Tensor(s.dtype, toTensor(s).data, s.shape);
  }
  const res = await session.run(feeds);
  const expected = c.outputs.map((n, i) => {
    if (n === '') return null;
    const r = res[`out${i}`];
    let spec = { dtype: r.type, shape: Array.from(r.dims), values: Array.from(r.data) };
    if (lay1) spec = transpose(spec, i === 0 ? [2, 0, 1, 3] : [1, 0, 2]);
    return spec;
  });
  out.push({ ...c, expected });
}
const file = join(here, '..', 'test', '__fixtures__', 'recurrent-ort-cases.json');
writeFileSync(file, JSON.stringify({ generator: 'scripts/make-recurrent-ort-fixtures.mjs', oracle: 'onnxruntime-node 1.30.0 (CPU EP)', cases: out }) + '\n');
console.log(`wrote ${out.length} cases to ${file}`);
