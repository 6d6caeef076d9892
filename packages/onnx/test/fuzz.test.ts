// A fast, fixed-seed fuzz of the importer (the long run is `pnpm fuzz`): mutated and truncated real files must decode
// or be rejected with a QintError — never a TypeError, RangeError or hang. Plus the regression corpus and a few
// hand-made hostile inputs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { QintError } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OnnxError, decodeModel, decodeTensor, encodeModel } from '../src/index';
import { int, len, text } from './helpers/wire';

const FIXTURES = join(__dirname, '__fixtures__');
const CORPUS = join(FIXTURES, 'fuzz-corpus');

const seeds = [
  join(FIXTURES, 'models/mnist-8/model.onnx'),
  join(FIXTURES, 'torch/cnn-bn/model.onnx'),
  join(FIXTURES, 'onnx-node/test_qlinearconv/model.onnx'),
  join(FIXTURES, 'onnx-node/test_quantizelinear_int4/model.onnx'),
  join(FIXTURES, 'onnx-node/test_quantizelinear_int4/test_data_set_0/output_0.pb'),
  join(FIXTURES, 'onnx-node/test_qlinearmatmul_2D_int8_float16/test_data_set_0/input_1.pb'),
  join(FIXTURES, 'models/mnist-8/test_data_set_0/input_0.pb'),
].map((f) => new Uint8Array(readFileSync(f)));

/** Decodes with every entry point; returns the first error that is not a QintError. */
function decodeAll(bytes: Uint8Array): unknown {
  const attempts = [
    () => {
      const model = decodeModel(bytes);
      decodeModel(encodeModel(model));
    },
    () => decodeTensor(bytes),
  ];
  for (const attempt of attempts) {
    try {
      attempt();
    } catch (e) {
      if (!(e instanceof QintError)) return e;
    }
  }
  return undefined;
}

type Mutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'set'; pos: number; value: number }
  | { kind: 'truncate'; pos: number }
  | { kind: 'insert'; pos: number; bytes: number[] }
  | { kind: 'delete'; pos: number; count: number }
  | { kind: 'hugeVarint'; pos: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('hugeVarint' as const), pos: fc.nat() }),
);

function mutate(source: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = Array.from(source);
  for (const m of mutations) {
    const pos = bytes.length === 0 ? 0 : m.pos % (bytes.length + 1);
    const at = Math.min(pos, bytes.length - 1);
    switch (m.kind) {
      case 'flip':
        if (bytes.length) bytes[at] ^= 1 << m.bit;
        break;
      case 'set':
        if (bytes.length) bytes[at] = m.value;
        break;
      case 'truncate':
        bytes = bytes.slice(0, pos);
        break;
      case 'insert':
        bytes.splice(pos, 0, ...m.bytes);
        break;
      case 'delete':
        bytes.splice(pos, m.count);
        break;
      case 'hugeVarint':
        bytes.splice(pos, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
        break;
    }
  }
  return Uint8Array.from(bytes);
}

describe('importer fuzz (fixed seed)', () => {
  it('mutated real models and tensors decode or fail with a QintError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        const failure = decodeAll(mutate(seeds[which], mutations));
        if (failure !== undefined) throw failure;
      }),
      { seed: 20261125, numRuns: 400 },
    );
  });

  it('every file of the regression corpus decodes or fails with a QintError', () => {
    for (const name of readdirSync(CORPUS).filter((f) => /\.(onnx|pb)$/.test(f))) {
      expect(decodeAll(new Uint8Array(readFileSync(join(CORPUS, name)))), name).toBeUndefined();
    }
  });
});

// Hand-made hostile inputs, built from protobuf wire bytes.
function modelWithGraph(graph: number[]): Uint8Array {
  return new Uint8Array([...int(1, 8), ...len(8, [...text(1, ''), ...int(2, 17)]), ...len(7, graph)]);
}

function rejects(bytes: Uint8Array, pattern: RegExp): void {
  let caught: unknown;
  try {
    decodeModel(bytes);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(OnnxError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('hostile inputs', () => {
  it('graphs nested 300 deep in attributes stop at protobuf recursion limit', () => {
    let graph: number[] = [];
    for (let i = 0; i < 300; i++) {
      const attribute = [...text(1, 'body'), ...int(20, 5), ...len(6, graph)];
      graph = len(1, [...text(4, 'If'), ...len(5, attribute)]);
    }
    rejects(modelWithGraph(graph), /not a valid ONNX ModelProto.*depth/);
  });

  it('an initializer with dims 2^62 x 4 is refused before allocation', () => {
    const tensor = [...int(1, 2n ** 62n), ...int(1, 4), ...int(2, 1), ...text(8, 'w'), ...len(9, [0, 0, 0, 0])];
    rejects(modelWithGraph(len(5, tensor)), /initializer\[0\] "w" dims\[0\] = 4611686018427387904 is beyond 2\^53 - 1/);
  });

  it('an initializer whose element count overflows is refused', () => {
    const tensor = [...int(1, 2 ** 40), ...int(1, 2 ** 40), ...int(2, 1), ...text(8, 'w')];
    rejects(modelWithGraph(len(5, tensor)), /more than 2\^53 - 1 elements/);
  });

  it('a TENSOR attribute without a tensor, a COMPLEX64 constant and an unknown attribute type are named', () => {
    rejects(modelWithGraph(len(1, [...text(4, 'Constant'), ...len(5, [...text(1, 'value'), ...int(20, 4)])])), /attribute\[0\] "value" is a TENSOR attribute without a tensor/);
    const complex = [...int(1, 1), ...int(2, 14), ...len(9, [0, 0, 0x80, 0x3f, 0, 0, 0, 0])];
    rejects(modelWithGraph(len(1, [...text(4, 'Constant'), ...len(5, [...text(1, 'value'), ...int(20, 4), ...len(5, complex)])])), /"value" t has data type COMPLEX64 \(14\)/);
    rejects(modelWithGraph(len(1, [...text(4, 'X'), ...len(5, [...text(1, 'a'), ...int(20, 99)])])), /unknown attribute type 99/);
  });

  it('external data that points outside the model folder is refused without reading', () => {
    const entry = (k: string, v: string): number[] => len(13, [...text(1, k), ...text(2, v)]);
    const tensor = [...int(1, 4), ...int(2, 1), ...text(8, 'w'), ...entry('location', '../../../../etc/passwd'), ...int(14, 1)];
    let caught: unknown;
    try {
      decodeModel(modelWithGraph(len(5, tensor)), { baseDir: FIXTURES });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OnnxError);
    expect((caught as Error).message).toMatch(/contains "\.\."/);
  });

  it('a model without a graph and an empty buffer are named', () => {
    rejects(new Uint8Array([...int(1, 8)]), /model has no graph/);
    rejects(new Uint8Array([]), /model has no graph/);
  });
});
