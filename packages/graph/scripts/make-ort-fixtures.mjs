// Dev-only: builds small single-op graphs, runs them in onnxruntime-node (the oracle) and writes the inputs and ORT's
// outputs to test/__fixtures__/ort-cases.json, which test/ort-oracle.test.ts replays through the qint executor.
// Needs onnxruntime-node (a root dev dependency); models are written by ./encode-onnx.mjs.
//   node scripts/make-ort-fixtures.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Tensor } from '@qint/tensor';
import { encodeOnnx as encodeModel } from './encode-onnx.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const randn = (n, lo = -3, hi = 3) => Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rand()));
const randi = (n, lo, hi) => Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo + 1)));
const size = (s) => s.reduce((a, b) => a * b, 1);
// int8 weights multiplied with uint8 activations stay within ±64: onnxruntime's u8 × s8 kernels on x86 CPUs without
// AVX-512 VNNI add two products in int16 (vpmaddubsw) and saturate beyond that (2 · 255 · 64 = 32,640 fits), so
// fixtures recorded on such a CPU would hold wrong sums. Clamping after the draw keeps every other case's values.
const s8Safe = (values) => values.map((v) => Math.max(-64, Math.min(64, v)));

const A = {
  int: (value) => ({ type: 'int', value }),
  float: (value) => ({ type: 'float', value }),
  str: (value) => ({ type: 'string', value }),
  ints: (value) => ({ type: 'ints', value }),
  floats: (value) => ({ type: 'floats', value }),
};
const T = (dtype, shape, values) => ({ dtype, shape, values });

/** One case: a single node, its inputs (fed) and initializers. */
const cases = [];
function add(name, opType, inputs, attributes = {}, { opset = 17, domain = '', outputs = 1, init = {}, order } = {}) {
  cases.push({ name, opType, domain, opset, attributes, inputs, init, outputs, order: order ?? [...Object.keys(inputs), ...Object.keys(init)] });
}

// Resize / Upsample
const img = T('float32', [1, 2, 4, 5], randn(40));
add('resize_nearest_half_pixel_up3', 'Resize', { X: img }, {}, { init: { roi: T('float32', [0], []), scales: T('float32', [4], [1, 1, 3, 3]) } });
add('resize_nearest_down_0_6', 'Resize', { X: img }, {}, { init: { roi: T('float32', [0], []), scales: T('float32', [4], [1, 1, 0.6, 0.6]) } });
for (const mode of ['round_prefer_ceil', 'floor', 'ceil']) {
  add(`resize_nearest_asymmetric_${mode}`, 'Resize', { X: img }, { coordinate_transformation_mode: A.str('asymmetric'), nearest_mode: A.str(mode) }, {
    init: { roi: T('float32', [0], []), scales: T('float32', [0], []), sizes: T('int64', [4], [1, 2, 7, 9]) },
  });
}
for (const ctm of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'half_pixel_symmetric']) {
  add(`resize_linear_${ctm}`, 'Resize', { X: img }, { mode: A.str('linear'), coordinate_transformation_mode: A.str(ctm) }, {
    opset: 19,
    init: { roi: T('float32', [0], []), scales: T('float32', [4], [1, 1, 1.7, 0.8]) },
  });
}
add('resize_linear_sizes_down', 'Resize', { X: img }, { mode: A.str('linear') }, {
  init: { roi: T('float32', [0], []), scales: T('float32', [0], []), sizes: T('int64', [4], [1, 2, 3, 3]) },
});
add('upsample_nearest_9', 'Upsample', { X: img }, {}, { opset: 9, init: { scales: T('float32', [4], [1, 1, 2, 3]) } });
add('resize_10_linear', 'Resize', { X: img }, { mode: A.str('linear') }, { opset: 10, init: { scales: T('float32', [4], [1, 1, 2, 2]) } });

// Pooling
const p = T('float32', [1, 2, 7, 7], randn(98));
add('maxpool_ceil_pads_strides', 'MaxPool', { X: p }, { kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]), pads: A.ints([1, 1, 0, 0]), ceil_mode: A.int(1) });
add('maxpool_dilations', 'MaxPool', { X: p }, { kernel_shape: A.ints([2, 2]), dilations: A.ints([2, 2]) });
add('maxpool_same_lower', 'MaxPool', { X: p }, { kernel_shape: A.ints([2, 3]), strides: A.ints([2, 2]), auto_pad: A.str('SAME_LOWER') });
add('avgpool_include_pad_ceil', 'AveragePool', { X: p }, { kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]), pads: A.ints([1, 1, 1, 1]), ceil_mode: A.int(1), count_include_pad: A.int(1) });
add('avgpool_exclude_pad', 'AveragePool', { X: p }, { kernel_shape: A.ints([3, 2]), pads: A.ints([1, 0, 1, 1]) });
add('avgpool_same_upper', 'AveragePool', { X: p }, { kernel_shape: A.ints([3, 3]), strides: A.ints([3, 3]), auto_pad: A.str('SAME_UPPER') });
add('globalaveragepool', 'GlobalAveragePool', { X: p });

// Softmax family, normalization
const s3 = T('float32', [2, 3, 4], randn(24, -5, 5));
add('softmax_11_axis1', 'Softmax', { X: s3 }, {}, { opset: 11 });
add('softmax_13_axis1', 'Softmax', { X: s3 }, { axis: A.int(1) }, { opset: 13 });
add('logsoftmax_11_axis2', 'LogSoftmax', { X: s3 }, { axis: A.int(2) }, { opset: 11 });
add('layernorm_axis_m1', 'LayerNormalization', { X: s3 }, {}, { init: { scale: T('float32', [4], randn(4)), B: T('float32', [4], randn(4)) }, outputs: 3 });
add('layernorm_axis1', 'LayerNormalization', { X: s3 }, { axis: A.int(1), epsilon: A.float(1e-3) }, { init: { scale: T('float32', [3, 4], randn(12)) } });
add('instancenorm', 'InstanceNormalization', { X: p }, {}, { init: { scale: T('float32', [2], [0.5, 2]), B: T('float32', [2], [1, -1]) } });
add('batchnorm', 'BatchNormalization', { X: p }, {}, {
  init: { scale: T('float32', [2], [0.5, 2]), B: T('float32', [2], [1, -1]), mean: T('float32', [2], [0.1, -0.2]), var: T('float32', [2], [0.7, 1.3]) },
});

// ConvTranspose
add('convtranspose_s2_p1_op1_g2', 'ConvTranspose', { X: T('float32', [1, 4, 3, 3], randn(36)) }, {
  strides: A.ints([2, 2]), pads: A.ints([1, 1, 1, 1]), output_padding: A.ints([1, 1]), group: A.int(2),
}, { init: { W: T('float32', [4, 3, 3, 3], randn(108)), B: T('float32', [6], randn(6)) } });
add('convtranspose_dil_same_upper', 'ConvTranspose', { X: T('float32', [1, 2, 4, 4], randn(32)) }, {
  strides: A.ints([2, 2]), auto_pad: A.str('SAME_UPPER'), kernel_shape: A.ints([3, 3]),
}, { init: { W: T('float32', [2, 1, 3, 3], randn(18)) } });
add('convtranspose_output_shape', 'ConvTranspose', { X: T('float32', [1, 1, 3, 3], randn(9)) }, {
  strides: A.ints([3, 2]), output_shape: A.ints([10, 8]),
}, { init: { W: T('float32', [1, 2, 3, 3], randn(18)) } });

// Activations and math
const act = T('float32', [64], randn(64, -8, 8));
add('gelu_none', 'Gelu', { X: act }, {}, { opset: 20 });
add('gelu_tanh', 'Gelu', { X: act }, { approximate: A.str('tanh') }, { opset: 20 });
for (const op of ['Erf', 'Sigmoid', 'HardSwish', 'HardSigmoid', 'Tanh', 'Softplus', 'Elu', 'Selu']) add(op.toLowerCase(), op, { X: act });
add('round', 'Round', { X: T('float32', [8], [0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6, 3.5]) });
add('reducel2_axes02', 'ReduceL2', { X: s3 }, { axes: A.ints([0, 2]) }, { opset: 13 });
add('reducelogsumexp', 'ReduceLogSumExp', { X: s3 }, { axes: A.ints([1]), keepdims: A.int(0) }, { opset: 13 });
add('reducemean_18', 'ReduceMean', { X: s3 }, {}, { opset: 18, init: { axes: T('int64', [2], [0, -1]) } });
add('pad_reflect', 'Pad', { X: T('float32', [1, 2, 3, 3], randn(18)) }, { mode: A.str('reflect') }, { opset: 13, init: { pads: T('int64', [8], [0, 0, 2, 1, 0, 0, 1, 2]) } });
add('pad_edge', 'Pad', { X: T('float32', [1, 2, 3, 3], randn(18)) }, { mode: A.str('edge') }, { opset: 13, init: { pads: T('int64', [8], [0, 1, 2, 1, 0, 0, 1, 2]) } });

// com.microsoft quantized contrib ops
const ms = { domain: 'com.microsoft', opset: 17 };
const qa = T('uint8', [2, 3, 4], randi(24, 0, 255));
const qb = T('uint8', [3, 1], randi(3, 0, 255));
const sc = (v) => T('float32', [], [Math.fround(v)]);
const zp = (v, d = 'uint8') => T(d, [], [v]);
add('qlinearadd_bcast', 'QLinearAdd', { A: qa, B: qb }, {}, { ...ms, order: ['A', 'A_scale', 'A_zero_point', 'B', 'B_scale', 'B_zero_point', 'C_scale', 'C_zero_point'], init: { A_scale: sc(0.0213), A_zero_point: zp(121), B_scale: sc(0.0477), B_zero_point: zp(87), C_scale: sc(0.0391), C_zero_point: zp(130) } });
add('qlinearadd_int8', 'QLinearAdd', { A: T('int8', [16], randi(16, -128, 127)), B: T('int8', [16], randi(16, -128, 127)) }, {}, {
  ...ms, order: ['A', 'A_scale', 'A_zero_point', 'B', 'B_scale', 'B_zero_point', 'C_scale', 'C_zero_point'], init: { A_scale: sc(0.05), A_zero_point: zp(-3, 'int8'), B_scale: sc(0.11), B_zero_point: zp(7, 'int8'), C_scale: sc(0.09), C_zero_point: zp(1, 'int8') },
});
add('qlinearmul_bcast', 'QLinearMul', { A: qa, B: qb }, {}, { ...ms, order: ['A', 'A_scale', 'A_zero_point', 'B', 'B_scale', 'B_zero_point', 'C_scale', 'C_zero_point'], init: { A_scale: sc(0.0213), A_zero_point: zp(121), B_scale: sc(0.0477), B_zero_point: zp(87), C_scale: sc(0.0391), C_zero_point: zp(130) } });
add('qlinearconcat', 'QLinearConcat', {
  Y_scale: sc(0.05), Y_zero_point: zp(128),
  X0: T('uint8', [1, 2, 3], randi(6, 0, 255)), S0: sc(0.031), Z0: zp(100),
  X1: T('uint8', [1, 3, 3], randi(9, 0, 255)), S1: sc(0.05), Z1: zp(128),
  X2: T('uint8', [1, 1, 3], randi(3, 0, 255)), S2: sc(0.2), Z2: zp(3),
}, { axis: A.int(1) }, ms);
add('qlinearglobalaveragepool', 'QLinearGlobalAveragePool', { X: T('uint8', [1, 3, 5, 5], randi(75, 0, 255)) }, {}, {
  ...ms, init: { x_scale: sc(0.023), x_zero_point: zp(120), y_scale: sc(0.011), y_zero_point: zp(110) },
});
add('dynamicquantizematmul', 'DynamicQuantizeMatMul', { A: T('float32', [3, 8], randn(24)) }, {}, {
  ...ms, init: { B: T('int8', [8, 5], s8Safe(randi(40, -128, 127))), b_scale: T('float32', [5], randn(5, 0.01, 0.05)), b_zero_point: T('int8', [5], [0, 0, 0, 0, 0]), bias: T('float32', [5], randn(5)) },
});
{
  const K = 40, N = 3, bits = 4, bs = 16, nb = Math.ceil(K / bs);
  const q = randi(N * nb * bs, 0, 15);
  const bytes = [];
  for (let i = 0; i < q.length; i += 2) bytes.push(q[i] | (q[i + 1] << 4));
  const zps = randi(N * nb, 0, 15);
  const perRow = Math.ceil((nb * bits) / 8);
  const zpBytes = new Array(N * perRow).fill(0);
  for (let n = 0; n < N; n++) for (let b = 0; b < nb; b++) zpBytes[n * perRow + (b >> 1)] |= zps[n * nb + b] << ((b & 1) * 4);
  const init = { B: T('uint8', [N, nb, (bs * bits) / 8], bytes), scales: T('float32', [N * nb], randn(N * nb, 0.01, 0.1)) };
  add('matmulnbits_4bit_default_zp', 'MatMulNBits', { A: T('float32', [2, K], randn(2 * K)) }, { K: A.int(K), N: A.int(N), bits: A.int(bits), block_size: A.int(bs) }, { ...ms, init });
  add('matmulnbits_4bit_packed_zp', 'MatMulNBits', { A: T('float32', [2, K], randn(2 * K)) }, { K: A.int(K), N: A.int(N), bits: A.int(bits), block_size: A.int(bs) }, {
    ...ms, init: { ...init, zero_points: T('uint8', [N * perRow], zpBytes) },
  });
}

// More shape/data-movement/index semantics
const m = T('float32', [3, 4, 5], randn(60));
add('slice_neg_steps', 'Slice', { X: m }, {}, { opset: 13, init: { starts: T('int64', [2], [-1, 4]), ends: T('int64', [2], [-1000, 0]), axes: T('int64', [2], [0, 2]), steps: T('int64', [2], [-2, -3]) } });
add('gather_axis1_neg', 'Gather', { X: m }, { axis: A.int(1) }, { init: { idx: T('int64', [2, 2], [-1, 0, 2, 2]) } });
add('gatherelements_axis2', 'GatherElements', { X: m }, { axis: A.int(2) }, { init: { idx: T('int64', [3, 4, 2], randi(24, -5, 4)) } });
add('split_18_uneven', 'Split', { X: m }, { axis: A.int(2), num_outputs: A.int(2) }, { opset: 18, outputs: 2 });
add('argmax_last', 'ArgMax', { X: T('float32', [2, 4], [1, 3, 3, 0, 2, 2, 1, 2]) }, { axis: A.int(1), select_last_index: A.int(1) }, { opset: 13 });
add('maxpool_indices', 'MaxPool', { X: p }, { kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]) }, { opset: 12, outputs: 2 });
add('resize_tf_crop_and_resize', 'Resize', { X: img }, { mode: A.str('linear'), coordinate_transformation_mode: A.str('tf_crop_and_resize'), extrapolation_value: A.float(7) }, {
  init: { roi: T('float32', [8], [0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3]), scales: T('float32', [0], []), sizes: T('int64', [4], [1, 2, 5, 6]) },
});
for (const ctm of ['pytorch_half_pixel', 'align_corners', 'tf_half_pixel_for_nn', 'half_pixel_symmetric']) {
  add(`resize_nearest_${ctm}`, 'Resize', { X: img }, { coordinate_transformation_mode: A.str(ctm) }, {
    opset: 19,
    init: { roi: T('float32', [0], []), scales: T('float32', [4], [1, 1, 1.7, 0.7]) },
  });
}
add('resize_18_axes_not_smaller', 'Resize', { X: img }, { axes: A.ints([2, 3]), keep_aspect_ratio_policy: A.str('not_smaller') }, {
  opset: 18, init: { roi: T('float32', [0], []), scales: T('float32', [0], []), sizes: T('int64', [2], [6, 6]) },
});
add('pad_wrap', 'Pad', { X: T('float32', [2, 3], randn(6)) }, { mode: A.str('wrap') }, { opset: 19, init: { pads: T('int64', [4], [1, 2, 1, 3]) } });
add('convtranspose_1d', 'ConvTranspose', { X: T('float32', [1, 2, 5], randn(10)) }, { strides: A.ints([3]), pads: A.ints([1, 2]), dilations: A.ints([2]) }, {
  init: { W: T('float32', [2, 3, 3], randn(18)) },
});
add('depthtospace_crd', 'DepthToSpace', { X: T('float32', [1, 8, 2, 3], randn(48)) }, { blocksize: A.int(2), mode: A.str('CRD') }, { opset: 13 });
add('depthtospace_dcr', 'DepthToSpace', { X: T('float32', [1, 8, 2, 3], randn(48)) }, { blocksize: A.int(2) }, { opset: 13 });
add('spacetodepth', 'SpaceToDepth', { X: T('float32', [1, 2, 4, 6], randn(48)) }, { blocksize: A.int(2) }, { opset: 13 });
add('cumsum_excl_rev', 'CumSum', { X: m }, { exclusive: A.int(1), reverse: A.int(1) }, { opset: 14, init: { axis: T('int64', [], [1]) } });
add('trilu_lower_k', 'Trilu', { X: m }, { upper: A.int(0) }, { opset: 14, init: { k: T('int64', [], [-1]) } });
add('mod_int_python', 'Mod', { A: T('int32', [6], [-7, 7, -7, 7, 5, -5]), B: T('int32', [6], [3, 3, -3, -3, 5, 2]) }, {}, { opset: 13 });
add('div_int_trunc', 'Div', { A: T('int32', [4], [-7, 7, -7, 7]), B: T('int32', [4], [2, 2, -2, -2]) }, {}, { opset: 13 });
add('where_bcast', 'Where', { C: T('bool', [2, 1], [1, 0]), X: T('float32', [3], [1, 2, 3]), Y: T('float32', [2, 3], randn(6)) }, {}, { opset: 16 });
add('expand_bcast', 'Expand', { X: T('float32', [3, 1], [1, 2, 3]) }, {}, { opset: 13, init: { shape: T('int64', [3], [2, 1, 4]) } });
add('clip_13', 'Clip', { X: act }, {}, { opset: 13, init: { min: T('float32', [], [-1.5]), max: T('float32', [], [2]) } });
add('clip_6', 'Clip', { X: act }, { min: A.float(-0.5), max: A.float(0.5) }, { opset: 6 });
add('cast_f32_to_i32', 'Cast', { X: act }, { to: A.int(6) }, { opset: 13 });
add('cast_f32_to_f16', 'Cast', { X: act }, { to: A.int(10) }, { opset: 13 });
add('softmax_large', 'Softmax', { X: T('float32', [2, 3], [1000, 1001, 1002, -1000, -1001, 3]) }, {}, { opset: 13 });
add('reducesum_13_noop', 'ReduceSum', { X: s3 }, { noop_with_empty_axes: A.int(1) }, { opset: 13, init: { axes: T('int64', [0], []) } });
add('reducemax_keep0', 'ReduceMax', { X: s3 }, { axes: A.ints([1]), keepdims: A.int(0) }, { opset: 13 });
add('prelu_channel', 'PRelu', { X: p }, {}, { opset: 16, init: { slope: T('float32', [2, 1, 1], [0.1, -0.3]) } });
add('leakyrelu', 'LeakyRelu', { X: act }, { alpha: A.float(0.2) });
add('gemm_bcast_c_trans', 'Gemm', { A: T('float32', [4, 3], randn(12)) }, { transA: A.int(1), transB: A.int(1), alpha: A.float(0.5), beta: A.float(2) }, {
  init: { B: T('float32', [5, 4], randn(20)), C: T('float32', [1, 5], randn(5)) },
});
add('conv_group_pads_strides', 'Conv', { X: T('float32', [1, 4, 6, 6], randn(144)) }, { group: A.int(2), pads: A.ints([1, 0, 2, 1]), strides: A.ints([2, 1]), dilations: A.ints([1, 2]) }, {
  init: { W: T('float32', [6, 2, 3, 2], randn(72)), B: T('float32', [6], randn(6)) },
});
add('qlinearconcat_int8', 'QLinearConcat', {
  Y_scale: sc(0.03), Y_zero_point: zp(-5, 'int8'),
  X0: T('int8', [2, 2], randi(4, -128, 127)), S0: sc(0.011), Z0: zp(3, 'int8'),
  X1: T('int8', [2, 3], randi(6, -128, 127)), S1: sc(0.07), Z1: zp(-20, 'int8'),
}, { axis: A.int(-1) }, ms);
add('qlinearglobalaveragepool_nhwc', 'QLinearGlobalAveragePool', { X: T('uint8', [2, 3, 3, 4], randi(72, 0, 255)) }, { channels_last: A.int(1) }, {
  ...ms, init: { x_scale: sc(0.023), x_zero_point: zp(120), y_scale: sc(0.007), y_zero_point: zp(110) },
});
add('dynamicquantizematmul_u8_zp', 'DynamicQuantizeMatMul', { A: T('float32', [2, 3, 6], randn(36, -1, 4)) }, {}, {
  ...ms, init: { B: T('uint8', [6, 4], randi(24, 0, 255)), b_scale: T('float32', [], [0.02]), b_zero_point: T('uint8', [], [128]) },
});
for (const bits of [2, 8]) {
  const K = 32, N = 2, bs = 16, nb = K / bs;
  const q = randi(N * K, 0, (1 << bits) - 1);
  const bytes = new Array((N * K * bits) / 8).fill(0);
  q.forEach((v, i) => (bytes[(i * bits) >> 3] |= v << ((i * bits) & 7)));
  add(`matmulnbits_${bits}bit`, 'MatMulNBits', { A: T('float32', [3, K], randn(3 * K)) }, { K: A.int(K), N: A.int(N), bits: A.int(bits), block_size: A.int(bs) }, {
    ...ms, init: { B: T('uint8', [N, nb, (bs * bits) / 8], bytes), scales: T('float32', [N, nb], randn(N * nb, 0.01, 0.1)) },
  });
}

for (const [op, attrs] of [['QLinearSigmoid', {}], ['QLinearLeakyRelu', { alpha: A.float(0.13) }]]) {
  add(`${op.toLowerCase()}_u8`, op, { X: T('uint8', [64], Array.from({ length: 64 }, (_, i) => i * 4)) }, attrs, {
    ...ms, init: { X_scale: sc(0.0625), X_zero_point: zp(128), Y_scale: sc(0.0041), Y_zero_point: zp(3) },
  });
  add(`${op.toLowerCase()}_i8`, op, { X: T('int8', [64], Array.from({ length: 64 }, (_, i) => i * 4 - 128)) }, attrs, {
    ...ms, init: { X_scale: sc(0.05), X_zero_point: zp(-10, 'int8'), Y_scale: sc(0.013), Y_zero_point: zp(-100, 'int8') },
  });
}

add('qlinearaveragepool_pads_ceil', 'QLinearAveragePool', { X: T('uint8', [1, 2, 7, 7], Array.from({ length: 98 }, (_, i) => (i * 37) % 256)) }, {
  kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]), pads: A.ints([1, 1, 1, 1]), ceil_mode: A.int(1),
}, { ...ms, init: { x_scale: sc(0.03), x_zero_point: zp(128), y_scale: sc(0.021), y_zero_point: zp(120) } });
add('qlinearaveragepool_include_pad_i8', 'QLinearAveragePool', { X: T('int8', [1, 2, 6, 6], Array.from({ length: 72 }, (_, i) => ((i * 53) % 256) - 128)) }, {
  kernel_shape: A.ints([2, 3]), pads: A.ints([1, 1, 0, 1]), count_include_pad: A.int(1),
}, { ...ms, init: { x_scale: sc(0.05), x_zero_point: zp(3, 'int8'), y_scale: sc(0.04), y_zero_point: zp(-7, 'int8') } });

{
  const qgOrder = ['A', 'a_scale', 'a_zero_point', 'B', 'b_scale', 'b_zero_point', 'C', 'y_scale', 'y_zero_point'];
  const A8 = T('uint8', [3, 5], randi(15, 0, 255));
  const base = { a_scale: sc(0.02), a_zero_point: zp(120), B: T('int8', [4, 5], s8Safe(randi(20, -128, 127))), b_scale: T('float32', [4], randn(4, 0.005, 0.02)), b_zero_point: T('int8', [4], [0, 0, 0, 0]), C: T('int32', [4], randi(4, -2000, 2000)) };
  add('qgemm_quant_out', 'QGemm', { A: A8 }, { transB: A.int(1), alpha: A.float(1) }, { ...ms, order: qgOrder, init: { ...base, y_scale: sc(0.05), y_zero_point: zp(128) } });
  add('qgemm_float_out', 'QGemm', { A: A8 }, { transB: A.int(1), alpha: A.float(0.5) }, { ...ms, order: qgOrder.slice(0, 7), init: { ...base } });
}

// Multi-node graphs in the shape exporters emit: a transformer encoder block as PyTorch writes it (embedding Gather,
// Shape/Gather/Range position ids, LayerNormalization, per-head Reshape/Transpose with Shape-derived targets,
// scaled scores, Equal/Where padding mask, Softmax, Erf-form GELU, ReduceMean pooling), with symbolic batch/seq.
const graphCases = [];
{
  const D = 16, H = 2, Dh = 8, F = 32, V = 20, P = 10;
  const n = (opType, inputs, outputs, attributes = {}) => ({ name: outputs[0], opType, domain: '', inputs, outputs, attributes });
  const w = (shape) => T('float32', shape, randn(size(shape), -0.5, 0.5));
  const nodes = [
    n('Gather', ['E', 'ids'], ['emb']),
    n('Shape', ['ids'], ['ids_shape']),
    n('Gather', ['ids_shape', 'c1'], ['seq']),
    n('Gather', ['ids_shape', 'c0'], ['batch']),
    n('Range', ['c0', 'seq', 'c1'], ['pos_ids']),
    n('Gather', ['Pemb', 'pos_ids'], ['pos']),
    n('Add', ['emb', 'pos'], ['x']),
    n('LayerNormalization', ['x', 'ln1_g', 'ln1_b'], ['h'], { axis: A.int(-1), epsilon: A.float(1e-5) }),
    n('MatMul', ['h', 'Wq'], ['q0']), n('Add', ['q0', 'bq'], ['q']),
    n('MatMul', ['h', 'Wk'], ['k0']), n('Add', ['k0', 'bk'], ['k']),
    n('MatMul', ['h', 'Wv'], ['v0']), n('Add', ['v0', 'bv'], ['v']),
    n('Unsqueeze', ['batch', 'ax0'], ['batch1']),
    n('Unsqueeze', ['seq', 'ax0'], ['seq1']),
    n('Concat', ['batch1', 'seq1', 'heads'], ['qshape'], { axis: A.int(0) }),
    n('Reshape', ['q', 'qshape'], ['qr']), n('Transpose', ['qr'], ['qh'], { perm: A.ints([0, 2, 1, 3]) }),
    n('Reshape', ['k', 'qshape'], ['kr']), n('Transpose', ['kr'], ['kt'], { perm: A.ints([0, 2, 3, 1]) }),
    n('Reshape', ['v', 'qshape'], ['vr']), n('Transpose', ['vr'], ['vh'], { perm: A.ints([0, 2, 1, 3]) }),
    n('MatMul', ['qh', 'kt'], ['scores0']),
    n('Div', ['scores0', 'sqrt_dh'], ['scores']),
    n('Equal', ['mask', 'c0'], ['pad']),
    n('Unsqueeze', ['pad', 'ax12'], ['pad4']),
    n('Where', ['pad4', 'neg_inf', 'scores'], ['masked']),
    n('Softmax', ['masked'], ['probs'], { axis: A.int(-1) }),
    n('MatMul', ['probs', 'vh'], ['ctx0']),
    n('Transpose', ['ctx0'], ['ctx1'], { perm: A.ints([0, 2, 1, 3]) }),
    n('Concat', ['batch1', 'seq1', 'dmodel'], ['oshape'], { axis: A.int(0) }),
    n('Reshape', ['ctx1', 'oshape'], ['ctx']),
    n('MatMul', ['ctx', 'Wo'], ['o0']), n('Add', ['o0', 'bo'], ['o']),
    n('Add', ['x', 'o'], ['r1']),
    n('LayerNormalization', ['r1', 'ln2_g', 'ln2_b'], ['h2'], { axis: A.int(-1), epsilon: A.float(1e-5) }),
    n('MatMul', ['h2', 'W1'], ['f0']), n('Add', ['f0', 'b1'], ['f1']),
    n('Div', ['f1', 'sqrt2'], ['f2']), n('Erf', ['f2'], ['f3']), n('Add', ['f3', 'one'], ['f4']),
    n('Mul', ['f1', 'f4'], ['f5']), n('Mul', ['f5', 'half'], ['gelu']),
    n('MatMul', ['gelu', 'W2'], ['g0']), n('Add', ['g0', 'b2'], ['g1']),
    n('Add', ['r1', 'g1'], ['r2']),
    n('ReduceMean', ['r2'], ['pooled'], { axes: A.ints([1]), keepdims: A.int(0) }),
    n('Tanh', ['pooled'], ['y']),
  ];
  const init = {
    E: w([V, D]), Pemb: w([P, D]), c0: T('int64', [], [0]), c1: T('int64', [], [1]), ax0: T('int64', [1], [0]), ax12: T('int64', [2], [1, 2]),
    ln1_g: w([D]), ln1_b: w([D]), ln2_g: w([D]), ln2_b: w([D]),
    Wq: w([D, D]), bq: w([D]), Wk: w([D, D]), bk: w([D]), Wv: w([D, D]), bv: w([D]), Wo: w([D, D]), bo: w([D]),
    heads: T('int64', [2], [H, Dh]), dmodel: T('int64', [1], [D]),
    sqrt_dh: T('float32', [], [Math.sqrt(Dh)]), neg_inf: T('float32', [], [-1e9]),
    W1: w([D, F]), b1: w([F]), W2: w([F, D]), b2: w([D]),
    sqrt2: T('float32', [], [Math.SQRT2]), one: T('float32', [], [1]), half: T('float32', [], [0.5]),
  };
  const feeds = {
    ids: T('int64', [2, 5], randi(10, 0, V - 1)),
    mask: T('int64', [2, 5], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
  };
  graphCases.push({
    name: 'transformer_encoder_block',
    opset: 17,
    nodes,
    init,
    inputs: [{ name: 'ids', dtype: 'int64', shape: ['batch', 'seq'] }, { name: 'mask', dtype: 'int64', shape: ['batch', 'seq'] }],
    feeds,
    outputs: ['y', 'probs'],
  });
}
// A small CNN in the shapes TF/Keras and PyTorch mobile exports use: Conv + BatchNormalization + Clip(ReLU6),
// depthwise Conv, HardSwish, GlobalAveragePool, Flatten, Gemm, Softmax; plus Resize/Concat/Pad/AveragePool.
{
  const n = (opType, inputs, outputs, attributes = {}) => ({ name: outputs[0], opType, domain: '', inputs, outputs, attributes });
  const w = (shape, s = 0.4) => T('float32', shape, randn(size(shape), -s, s));
  const nodes = [
    n('Conv', ['x', 'w1', 'b1'], ['c1'], { kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]), pads: A.ints([1, 1, 1, 1]) }),
    n('BatchNormalization', ['c1', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], ['bn']),
    n('Clip', ['bn', 'zero', 'six'], ['r6']),
    n('Conv', ['r6', 'wd'], ['dw'], { group: A.int(8), kernel_shape: A.ints([3, 3]), auto_pad: A.str('SAME_UPPER') }),
    n('HardSwish', ['dw'], ['hs']),
    n('Resize', ['hs', '', 'rs_scales'], ['up'], { mode: A.str('nearest'), coordinate_transformation_mode: A.str('asymmetric'), nearest_mode: A.str('floor') }),
    n('AveragePool', ['up'], ['ap'], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) }),
    n('Concat', ['hs', 'ap'], ['cat'], { axis: A.int(1) }),
    n('Pad', ['cat', 'pads'], ['padded'], { mode: A.str('reflect') }),
    n('MaxPool', ['padded'], ['mp'], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]), ceil_mode: A.int(1) }),
    n('GlobalAveragePool', ['mp'], ['gap']),
    n('Flatten', ['gap'], ['flat']),
    n('Gemm', ['flat', 'fc_w', 'fc_b'], ['logits'], { transB: A.int(1) }),
    n('Softmax', ['logits'], ['prob'], { axis: A.int(1) }),
  ];
  graphCases.push({
    name: 'mobile_cnn',
    opset: 17,
    nodes,
    init: {
      w1: w([8, 3, 3, 3]), b1: w([8]), bn_s: T('float32', [8], randn(8, 0.5, 1.5)), bn_b: w([8]), bn_m: w([8]), bn_v: T('float32', [8], randn(8, 0.5, 2)),
      zero: T('float32', [], [0]), six: T('float32', [], [6]), wd: w([8, 1, 3, 3]), rs_scales: T('float32', [4], [1, 1, 2, 2]),
      pads: T('int64', [8], [0, 0, 1, 1, 0, 0, 1, 1]), fc_w: w([5, 16]), fc_b: w([5]),
    },
    inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 3, 12, 12] }],
    feeds: { x: T('float32', [2, 3, 12, 12], randn(2 * 3 * 144)) },
    outputs: ['prob', 'logits'],
  });
}

function toTensor({ dtype, shape, values }) {
  return Tensor.from(dtype, shape, dtype === 'int64' ? values.map((v) => BigInt(v)) : values);
}

const out = [];
for (const c of cases) {
  const order = c.order;
  const outputs = Array.from({ length: c.outputs }, (_, i) => `Y${i}`);
  const node = { name: c.name, opType: c.opType, domain: c.domain, inputs: order, outputs, attributes: c.attributes };
  const initializers = new Map(Object.entries(c.init).map(([k, v]) => [k, toTensor(v)]));
  const feedsSpec = c.inputs;
  const graph = {
    name: c.name,
    nodes: [node],
    initializers,
    inputs: Object.entries(feedsSpec).map(([name, v]) => ({ name, dtype: v.dtype, shape: v.shape })),
    outputs: outputs.map((name) => ({ name })),
    valueInfo: [],
  };
  const opsetImports = c.domain ? { '': c.opset, [c.domain]: 1 } : { '': c.opset };
  const model = { irVersion: 9, opsetImports, producerName: 'qint-fixtures', producerVersion: '0', metadata: {}, graph };
  const session = await ort.InferenceSession.create(encodeModel(model));
  const feeds = {};
  for (const [name, v] of Object.entries(feedsSpec)) {
    const t = toTensor(v);
    feeds[name] = new ort.Tensor(v.dtype === 'float32' ? 'float32' : v.dtype, t.data, v.shape);
  }
  const res = await session.run(feeds);
  out.push({
    ...c,
    expected: outputs.map((n) => ({ dtype: res[n].type, shape: Array.from(res[n].dims), values: Array.from(res[n].data, (v) => (typeof v === 'bigint' ? Number(v) : v)) })),
  });
}
const graphsOut = [];
for (const c of graphCases) {
  const graph = {
    name: c.name,
    nodes: c.nodes,
    initializers: new Map(Object.entries(c.init).map(([k, v]) => [k, toTensor(v)])),
    inputs: c.inputs,
    outputs: c.outputs.map((name) => ({ name })),
    valueInfo: [],
  };
  const model = { irVersion: 9, opsetImports: { '': c.opset }, producerName: 'qint-fixtures', producerVersion: '0', metadata: {}, graph };
  const session = await ort.InferenceSession.create(encodeModel(model));
  const feeds = {};
  for (const [name, v] of Object.entries(c.feeds)) feeds[name] = new ort.Tensor(v.dtype, toTensor(v).data, v.shape);
  const res = await session.run(feeds);
  graphsOut.push({
    ...c,
    expected: c.outputs.map((o) => ({ dtype: res[o].type, shape: Array.from(res[o].dims), values: Array.from(res[o].data, (v) => (typeof v === 'bigint' ? Number(v) : v)) })),
  });
}
const file = join(here, '..', 'test', '__fixtures__', 'ort-cases.json');
writeFileSync(file, JSON.stringify({ generator: 'scripts/make-ort-fixtures.mjs', oracle: `onnxruntime-node ${ort.env.versions?.node ?? '1.30.0'} (CPU EP)`, cases: out, graphs: graphsOut }) + '\n');
console.log(`wrote ${out.length} cases to ${file}`);
