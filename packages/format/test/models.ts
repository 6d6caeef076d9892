// Hand-built models covering every dtype, quantization granularity and attribute kind, for round-trip tests and
// as fuzz seeds.
import { QuantParams, Tensor, shapeSize, type DType } from '@qint/tensor';
import type { Graph, Model, Node } from '../src/internal/ir';

const f32bits = (bits: number[]): Float32Array => new Float32Array(new Uint32Array(bits).buffer);

/** One tensor of every dtype, with edge values (NaN payloads, -0, int64 extremes, odd packed counts). */
export function everyDtypeTensors(): Map<string, Tensor> {
  const m = new Map<string, Tensor>();
  m.set('f32', Tensor.from('float32', [2, 3], f32bits([0x7fc00001, 0x80000000, 0x7f800000, 0xff800000, 0x3f800000, 0x00000001])));
  m.set('f16', Tensor.from('float16', [5], new Uint16Array([0x7e01, 0x8000, 0x7c00, 0x3c00, 0x0001])));
  m.set('i64', Tensor.from('int64', [4], new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n])));
  m.set('i32', Tensor.from('int32', [3], [-2147483648, 2147483647, 7]));
  m.set('i16', Tensor.from('int16', [1, 3], [-32768, 32767, 1]));
  m.set('u16', Tensor.from('uint16', [2], [0, 65535]));
  m.set('i8', Tensor.from('int8', [2, 2], [-128, 127, 0, -1]));
  m.set('u8', Tensor.from('uint8', [3], [0, 255, 128]));
  m.set('i4', Tensor.from('int4', [3], [-8, 7, -1]));
  m.set('u4', Tensor.from('uint4', [5], [0, 15, 1, 14, 9]));
  m.set('i2', Tensor.from('int2', [7], [-2, 1, 0, -1, 1, -2, 0]));
  m.set('u2', Tensor.from('uint2', [2, 3], [0, 1, 2, 3, 2, 1]));
  m.set('b', Tensor.from('bool', [3], [true, false, true]));
  m.set('f64', Tensor.from('float64', [3], new Float64Array([Math.PI, -0, 1e300])));
  m.set('u32', Tensor.from('uint32', [2], [0, 4294967295]));
  m.set('u64', Tensor.from('uint64', [2], new BigUint64Array([0n, 2n ** 64n - 1n])));
  m.set('bf16', Tensor.from('bfloat16', [3], new Uint16Array([0x7fc1, 0x8000, 0x3f80])));
  m.set('e4m3fn', Tensor.from('float8e4m3fn', [3], new Uint8Array([0x7f, 0x80, 0x7e])));
  m.set('e4m3fnuz', Tensor.from('float8e4m3fnuz', [2], new Uint8Array([0x80, 0x01])));
  m.set('e5m2', Tensor.from('float8e5m2', [2], new Uint8Array([0x7c, 0xfe])));
  m.set('e5m2fnuz', Tensor.from('float8e5m2fnuz', [2], new Uint8Array([0x80, 0x7f])));
  m.set('e8m0', Tensor.from('float8e8m0', [2], new Uint8Array([0xff, 0x00])));
  m.set('f4', Tensor.from('float4e2m1', [3], new Uint8Array([0xf7, 0x08])));
  m.set('scalar', Tensor.scalar('float32', 2.5));
  m.set('empty', Tensor.zeros('int8', [0, 3]));
  return m;
}

function ramp(dtype: DType, shape: number[], lo: number, hi: number): Tensor {
  const n = shapeSize(shape);
  return Tensor.from(dtype, shape, Array.from({ length: n }, (_, i) => lo + (i % (hi - lo + 1))));
}

/** Quantized initializers of every granularity, inline and in the data section. */
export function quantizedInitializers(): { initializers: Map<string, Tensor>; quantParams: Map<string, QuantParams> } {
  const initializers = new Map<string, Tensor>();
  const quantParams = new Map<string, QuantParams>();
  const add = (name: string, t: Tensor, q: QuantParams): void => {
    initializers.set(name, t);
    quantParams.set(name, q);
  };
  add('w_tensor_u8', ramp('uint8', [4, 4], 0, 255), QuantParams.perTensor('uint8', 0.0123, 128));
  add('w_axis_i8', ramp('int8', [3, 5], -128, 127), QuantParams.perAxis('int8', 0, [0.5, 0.25, 1e-3], [0, -3, 5]));
  add('w_axis_neg_i16', ramp('int16', [2, 4], -300, 300), QuantParams.perAxis('int16', -1, [1, 2, 3, 4]));
  // 70 is not a multiple of 32: the last block is shorter (ONNX opset 21 blocked layout).
  add('w_block_i4', ramp('int4', [3, 70], -8, 7), QuantParams.blocked('int4', 1, 32, Array.from({ length: 9 }, (_, i) => 0.01 * (i + 1)), Array.from({ length: 9 }, (_, i) => (i % 3) - 1)));
  add('w_block_u2', ramp('uint2', [8, 3], 0, 3), QuantParams.blocked('uint2', 0, 4, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0, 1, 2, 3, 0, 1]));
  // 100 channels > the inline limit of 64: scales and zero points go to the data section.
  add('w_axis_many', ramp('uint4', [100, 3], 0, 15), QuantParams.perAxis('uint4', 0, Array.from({ length: 100 }, (_, i) => Math.fround(1 / (i + 3))), Array.from({ length: 100 }, (_, i) => i % 16)));
  add('w_float_planned', ramp('float32', [2, 2], -2, 2), QuantParams.perTensor('int8', 0.05, 0));
  return { initializers, quantParams };
}

function node(name: string, opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}, domain = ''): Node {
  return { name, opType, domain, inputs, outputs, attributes };
}

/** A model using every dtype, granularity and attribute kind, with a subgraph. */
export function kitchenSinkModel(): Model {
  const { initializers, quantParams } = quantizedInitializers();
  for (const [k, v] of everyDtypeTensors()) initializers.set(k, v);
  const thenBranch: Graph = {
    name: 'then',
    nodes: [node('then_add', 'Add', ['x', 'bias_then'], ['y_then'])],
    initializers: new Map([['bias_then', Tensor.from('float32', [1], [1.5])]]),
    inputs: [],
    outputs: [{ name: 'y_then', dtype: 'float32', shape: ['batch', 4] }],
    valueInfo: [],
  };
  const elseBranch: Graph = {
    name: 'else',
    nodes: [node('else_id', 'Identity', ['x'], ['y_else'])],
    initializers: new Map(),
    inputs: [],
    outputs: [{ name: 'y_else' }],
    valueInfo: [],
  };
  const attrs: Node['attributes'] = Object.fromEntries([
    ['alpha', { type: 'float', value: -0 }],
    ['big', { type: 'int', value: 9223372036854775807 }],
    ['fs', { type: 'floats', value: [Number.NaN, Infinity, -Infinity, 0.1, -0] }],
    ['is', { type: 'ints', value: [-1, 0, 2 ** 53 - 1] }],
    ['s', { type: 'string', value: 'héllo 🌍 "quoted" \\ \n' }],
    ['ss', { type: 'strings', value: ['', 'a', '\u0000'] }],
    ['t', { type: 'tensor', value: Tensor.from('int64', [2], [1, -1]) }],
    ['ts', { type: 'tensors', value: [Tensor.from('uint4', [3], [1, 2, 3]), Tensor.from('float16', [1], new Uint16Array([0xfc00]))] }],
    ['__proto__', { type: 'string', value: 'not a prototype' }],
    ['0', { type: 'int', value: 0 }],
  ]) as Node['attributes'];
  const graph: Graph = {
    name: 'kitchen',
    nodes: [
      node('deq', 'DequantizeLinear', ['w_tensor_u8', 'scale_in', ''], ['w_f'], {}),
      node('mm', 'MatMul', ['x', 'w_f'], ['x'.concat('w')], attrs, 'com.example'),
      node('if', 'If', ['cond'], ['y'], { then_branch: { type: 'graph', value: thenBranch }, else_branch: { type: 'graph', value: elseBranch } }),
    ],
    initializers: new Map([...initializers, ['scale_in', Tensor.scalar('float32', 0.5)]]),
    inputs: [
      { name: 'x', dtype: 'float32', shape: ['batch', 4], docString: 'input' },
      { name: 'cond', dtype: 'bool', shape: [] },
      { name: 'w_tensor_u8', dtype: 'uint8', shape: [4, 4] },
    ],
    outputs: [{ name: 'y', dtype: 'float32', shape: [undefined, -1] }, { name: 'xw' }],
    valueInfo: [{ name: 'w_f', dtype: 'float32', shape: [4, 4] }],
    quantParams,
    docString: 'a graph',
  };
  return {
    irVersion: 10,
    opsetImports: { '': 21, 'com.microsoft': 1, 'com.example': 3 },
    producerName: 'qint-tests',
    producerVersion: '0.0.0',
    domain: 'ai.qint.test',
    modelVersion: 7,
    docString: 'kitchen sink',
    metadata: Object.fromEntries([['author', 'tests'], ['__proto__', 'x'], ['12', 'numeric key']]),
    graph,
  };
}

/** A float MLP: x[1,4] → MatMul → Add → Relu → y. */
export function tinyFloatModel(): Model {
  return {
    irVersion: 8,
    opsetImports: { '': 13 },
    producerName: 'qint-tests',
    producerVersion: '0.0.0',
    metadata: {},
    graph: {
      name: 'mlp',
      nodes: [node('mm', 'MatMul', ['x', 'W'], ['h']), node('add', 'Add', ['h', 'B'], ['h2']), node('relu', 'Relu', ['h2'], ['y'])],
      initializers: new Map([
        ['W', Tensor.from('float32', [4, 3], [0.5, -1, 2, 0.25, 0, -0.5, 1, 1, 1, -2, 0.125, 3])],
        ['B', Tensor.from('float32', [3], [0.1, -0.2, 0.3])],
      ]),
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 3] }],
      valueInfo: [],
    },
  };
}
