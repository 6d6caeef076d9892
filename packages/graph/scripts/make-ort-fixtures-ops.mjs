// Dev-only: single-op graphs of the indexing, detection and tensor-manipulation ops (TopK, NonMaxSuppression,
// RoiAlign, GridSample, Einsum, scatter/gather, Resize cubic/antialias, 3-D pooling, ...) run in onnxruntime-node
// (the oracle); writes the inputs and ORT's outputs to test/__fixtures__/ort-ops-cases.json, which
// test/ort-oracle-ops.test.ts replays through the qint executor. A case ORT cannot run is left out (and listed).
//   node scripts/make-ort-fixtures-ops.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Tensor } from '@qint/tensor';
import { encodeOnnx as encodeModel } from './encode-onnx.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let seed = 20261208;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const randn = (n, lo = -3, hi = 3) => Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rand()));
const randi = (n, lo, hi) => Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo + 1)));

const A = {
  int: (value) => ({ type: 'int', value }),
  float: (value) => ({ type: 'float', value }),
  str: (value) => ({ type: 'string', value }),
  ints: (value) => ({ type: 'ints', value }),
};
const T = (dtype, shape, values) => ({ dtype, shape, values });
const cases = [];
function add(name, opType, inputs, attributes = {}, { opset = 17, outputs = 1, init = {}, order } = {}) {
  cases.push({ name, opType, domain: '', opset, attributes, inputs, init, outputs, order: order ?? [...Object.keys(inputs), ...Object.keys(init)] });
}

// TopK
const tk = T('float32', [3, 7], randn(21));
add('topk_largest_axis1', 'TopK', { X: tk }, { axis: A.int(1) }, { opset: 11, outputs: 2, init: { K: T('int64', [1], [3]) } });
add('topk_smallest_axis0', 'TopK', { X: tk }, { axis: A.int(0), largest: A.int(0) }, { opset: 11, outputs: 2, init: { K: T('int64', [1], [2]) } });

// NonMaxSuppression: 20 random boxes, 2 classes
const corners = [];
for (let i = 0; i < 20; i++) {
  const y = 10 * rand();
  const x = 10 * rand();
  corners.push(y, x, y + 1 + 3 * rand(), x + 1 + 3 * rand());
}
const nmsScores = T('float32', [1, 2, 20], randn(40, 0, 1));
for (const [name, boxes, center] of [
  ['corners', corners, 0],
  ['center', corners.map((v, i) => (i % 4 < 2 ? v + 2 : 1 + (v % 3))), 1],
]) {
  add(`nms_${name}`, 'NonMaxSuppression', { boxes: T('float32', [1, 20, 4], boxes), scores: nmsScores }, { center_point_box: A.int(center) }, {
    opset: 11,
    init: { max: T('int64', [1], [5]), iou: T('float32', [1], [0.4]), score: T('float32', [1], [0.2]) },
  });
}

// RoiAlign (opset 16)
const feat = T('float32', [2, 3, 8, 8], randn(384));
const rois = T('float32', [4, 4], [0.5, 0.5, 6.2, 5.1, 1, 2, 3, 7.5, 2.2, 0.1, 7.9, 7.9, 3, 3, 3.5, 3.2]);
const bidx = T('int64', [4], [0, 1, 1, 0]);
for (const ctm of ['half_pixel', 'output_half_pixel']) {
  for (const sr of [0, 2]) {
    add(`roialign_${ctm}_sr${sr}`, 'RoiAlign', { X: feat, rois, batch_indices: bidx }, {
      coordinate_transformation_mode: A.str(ctm), sampling_ratio: A.int(sr), output_height: A.int(3), output_width: A.int(2), spatial_scale: A.float(0.9),
    }, { opset: 16 });
  }
}

// GridSample (opset 16 spellings)
const gsx = T('float32', [1, 2, 5, 6], randn(60));
const grid = T('float32', [1, 4, 3, 2], randn(24, -1.3, 1.3));
for (const mode of ['bilinear', 'nearest', 'bicubic']) {
  for (const pad of ['zeros', 'border', 'reflection']) {
    for (const ac of [0, 1]) {
      add(`gridsample_${mode}_${pad}_ac${ac}`, 'GridSample', { X: gsx, grid }, { mode: A.str(mode), padding_mode: A.str(pad), align_corners: A.int(ac) }, { opset: 16 });
    }
  }
}

// Einsum
const e1 = T('float32', [2, 3, 4], randn(24));
const e2 = T('float32', [2, 4, 5], randn(40));
add('einsum_bmm', 'Einsum', { A: e1, B: e2 }, { equation: A.str('bij,bjk->bik') }, { opset: 12 });
add('einsum_attention', 'Einsum', { Q: T('float32', [1, 2, 3, 4], randn(24)), K: T('float32', [1, 2, 5, 4], randn(40)) }, { equation: A.str('bhqd,bhkd->bhqk') }, { opset: 12 });
add('einsum_diag', 'Einsum', { X: T('float32', [3, 3], randn(9)) }, { equation: A.str('ii->i') }, { opset: 12 });
add('einsum_ellipsis', 'Einsum', { X: e1 }, { equation: A.str('...ij->...ji') }, { opset: 12 });
add('einsum_sum_implicit', 'Einsum', { X: e1, Y: T('float32', [4], randn(4)) }, { equation: A.str('bij,j') }, { opset: 12 });

// Gather / scatter
add('gathernd_batch1', 'GatherND', { data: T('float32', [2, 3, 4], randn(24)), indices: T('int64', [2, 2, 1], [2, 0, 1, 1]) }, { batch_dims: A.int(1) }, { opset: 13 });
add('scatternd_add', 'ScatterND', { data: T('float32', [4, 3], randn(12)), indices: T('int64', [3, 1], [1, 3, 1]), updates: T('float32', [3, 3], randn(9)) }, { reduction: A.str('add') }, { opset: 16 });
add('scatterelements_mul', 'ScatterElements', { data: T('float32', [3, 4], randn(12)), indices: T('int64', [2, 4], randi(8, -3, 2)), updates: T('float32', [2, 4], randn(8)) }, { axis: A.int(0), reduction: A.str('mul') }, { opset: 16 });
add('nonzero', 'NonZero', { X: T('float32', [3, 4], randn(12).map((v) => (v > 0.5 ? v : 0))) }, {}, { opset: 13 });
add('unique_axis1', 'Unique', { X: T('float32', [2, 5], [1, 2, 1, 3, 2, 4, 5, 4, 6, 5]) }, { axis: A.int(1) }, { opset: 11, outputs: 4 });
add('unique_flat_unsorted', 'Unique', { X: T('int64', [8], [3, 1, 3, 0, 1, 7, 0, 3]) }, { sorted: A.int(0) }, { opset: 11, outputs: 4 });
add('compress_axis1', 'Compress', { input: T('float32', [2, 4], randn(8)), condition: T('bool', [3], [1, 0, 1]) }, { axis: A.int(1) }, { opset: 11 });
add('onehot_axis1', 'OneHot', { indices: T('int64', [2, 3], [0, 4, -1, 2, 7, -5]) }, { axis: A.int(1) }, { opset: 11, init: { depth: T('float32', [], [5]), values: T('float32', [2], [-1, 3]) } });
add('reversesequence_batch0', 'ReverseSequence', { x: T('float32', [3, 4, 2], randn(24)), lens: T('int64', [3], [4, 1, 2]) }, { batch_axis: A.int(0), time_axis: A.int(1) }, { opset: 10 });
add('eyelike_k_neg', 'EyeLike', { X: T('float32', [4, 3], randn(12)) }, { k: A.int(-1) }, { opset: 9 });
add('det_batch', 'Det', { X: T('float32', [3, 3, 3], randn(27)) }, {}, { opset: 11 });
add('centercroppad_mixed', 'CenterCropPad', { X: T('float32', [5, 4, 2], randn(40)) }, { axes: A.ints([0, 1]) }, { opset: 18, init: { shape: T('int64', [2], [2, 7]) } });
add('col2im_strided_padded', 'Col2Im', { X: T('float32', [1, 4, 6], randn(24)) }, { strides: A.ints([1, 2]), pads: A.ints([0, 1, 0, 1]) }, {
  opset: 18, init: { image_shape: T('int64', [2], [3, 5]), block_shape: T('int64', [2], [2, 2]) },
});
add('affinegrid_2d', 'AffineGrid', { theta: T('float32', [2, 2, 3], randn(12, -1, 1)) }, { align_corners: A.int(0) }, { opset: 20, init: { size: T('int64', [4], [2, 1, 3, 4]) } });
add('bitshift_u8_left', 'BitShift', { X: T('uint8', [4], [1, 255, 16, 200]), Y: T('uint8', [4], [3, 8, 4, 1]) }, { direction: A.str('LEFT') }, { opset: 11 });
add('bitwise_xor_i32_bcast', 'BitwiseXor', { A: T('int32', [2, 3], randi(6, -1000, 1000)), B: T('int32', [3], randi(3, -1000, 1000)) }, {}, { opset: 18 });
add('cumprod_axis1_rev', 'CumProd', { x: T('float32', [2, 4], randn(8, 0.5, 1.5)) }, { reverse: A.int(1) }, { opset: 26, init: { axis: T('int64', [], [1]) } });

// Resize: cubic and antialias
const img = T('float32', [1, 2, 5, 6], randn(60));
const noRoi = T('float32', [0], []);
for (const ctm of ['half_pixel', 'align_corners', 'asymmetric', 'pytorch_half_pixel']) {
  add(`resize_cubic_${ctm}`, 'Resize', { X: img }, { mode: A.str('cubic'), coordinate_transformation_mode: A.str(ctm) }, { opset: 19, init: { roi: noRoi, scales: T('float32', [4], [1, 1, 1.6, 0.5]) } });
}
add('resize_cubic_exclude_outside_a05', 'Resize', { X: img }, { mode: A.str('cubic'), exclude_outside: A.int(1), cubic_coeff_a: A.float(-0.5) }, {
  opset: 19, init: { roi: noRoi, scales: T('float32', [0], []), sizes: T('int64', [4], [1, 2, 8, 4]) },
});
add('resize_linear_antialias_down', 'Resize', { X: img }, { mode: A.str('linear'), antialias: A.int(1) }, { opset: 19, init: { roi: noRoi, scales: T('float32', [0], []), sizes: T('int64', [4], [1, 2, 3, 2]) } });
add('resize_cubic_antialias_down', 'Resize', { X: img }, { mode: A.str('cubic'), antialias: A.int(1) }, { opset: 19, init: { roi: noRoi, scales: T('float32', [0], []), sizes: T('int64', [4], [1, 2, 2, 4]) } });

// 3-D pooling and ConvTranspose, MaxPool storage_order
const vol = T('float32', [1, 2, 4, 5, 6], randn(240));
add('maxpool_3d_pads_strides', 'MaxPool', { X: vol }, { kernel_shape: A.ints([2, 3, 2]), strides: A.ints([2, 1, 2]), pads: A.ints([1, 0, 1, 0, 1, 1]) }, { opset: 12, outputs: 2 });
add('avgpool_3d_ceil_include_pad', 'AveragePool', { X: vol }, { kernel_shape: A.ints([3, 2, 3]), strides: A.ints([2, 2, 2]), pads: A.ints([1, 1, 1, 1, 0, 1]), ceil_mode: A.int(1), count_include_pad: A.int(1) }, { opset: 19 });
add('maxpool_storage_order1', 'MaxPool', { X: T('float32', [1, 2, 5, 5], randn(50)) }, { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]), storage_order: A.int(1) }, { opset: 12, outputs: 2 });
add('convtranspose_3d_s2_g2', 'ConvTranspose', { X: T('float32', [1, 4, 2, 3, 3], randn(72)) }, { strides: A.ints([2, 1, 2]), pads: A.ints([1, 0, 0, 0, 1, 1]), group: A.int(2) }, {
  init: { W: T('float32', [4, 1, 3, 2, 3], randn(72)), B: T('float32', [2], randn(2)) },
});

function toTensor({ dtype, shape, values }) {
  return Tensor.from(dtype, shape, dtype === 'int64' ? values.map((v) => BigInt(v)) : values);
}

const out = [];
const skipped = [];
for (const c of cases) {
  const outputs = Array.from({ length: c.outputs }, (_, i) => `Y${i}`);
  const graph = {
    name: c.name,
    nodes: [{ name: c.name, opType: c.opType, domain: c.domain, inputs: c.order, outputs, attributes: c.attributes }],
    initializers: new Map(Object.entries(c.init).map(([k, v]) => [k, toTensor(v)])),
    inputs: Object.entries(c.inputs).map(([name, v]) => ({ name, dtype: v.dtype, shape: v.shape })),
    outputs: outputs.map((name) => ({ name })),
    valueInfo: [],
  };
  const model = { irVersion: 10, opsetImports: { '': c.opset }, producerName: 'qint-fixtures', producerVersion: '0', metadata: {}, graph };
  try {
    const session = await ort.InferenceSession.create(encodeModel(model));
    const feeds = {};
    for (const [name, v] of Object.entries(c.inputs)) feeds[name] = new ort.Tensor(v.dtype, toTensor(v).data, v.shape);
    const res = await session.run(feeds);
    out.push({
      ...c,
      expected: outputs.map((n) => ({ dtype: res[n].type, shape: Array.from(res[n].dims), values: Array.from(res[n].data, (v) => (typeof v === 'bigint' ? Number(v) : Number(v))) })),
    });
  } catch (e) {
    skipped.push(`${c.name}: ${String(e.message ?? e).split('\n')[0]}`);
  }
}
const file = join(here, '..', 'test', '__fixtures__', 'ort-ops-cases.json');
writeFileSync(file, JSON.stringify({ generator: 'scripts/make-ort-fixtures-ops.mjs', oracle: `onnxruntime-node ${ort.env.versions?.node ?? '1.30.0'} (CPU EP)`, cases: out, skipped }) + '\n');
console.log(`wrote ${out.length} cases to ${file}; onnxruntime could not run ${skipped.length}:\n${skipped.join('\n')}`);
