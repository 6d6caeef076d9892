// A fast, fixed-seed fuzz of the importer (the long run is `pnpm fuzz`): mutated and truncated real files must decode
// or be rejected with a QintError — never a TypeError, RangeError or hang. Plus the regression corpus and a few
// hand-made hostile inputs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, type Model } from '@qint/graph';
import { createJsBackend } from '@qint/kernels';
import { QintError, Tensor } from '@qint/tensor';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxError, decodeModel, decodeTensor, encodeModel } from '../src/index';
import { int, len, text } from './helpers/wire';

const FIXTURES = join(__dirname, '__fixtures__');
const js = createJsBackend();
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

/**
 * Runs a model that decoded: load it and feed zeros of the declared input shapes (symbolic dims as 1), under a
 * 2 MiB tensor limit (mutated dims must fail as MemoryLimitError, not exhaust memory).
 */
function runDecoded(model: Model): void {
  if (model.graph.nodes.length > 200) return;
  const session = InferenceSession.create(model, { maxTensorBytes: 2 ** 21, backend: js });
  const feeds: Record<string, Tensor> = {};
  for (const vi of session.requiredInputs) {
    if (vi.dtype === undefined) return;
    const shape = (vi.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    if (shape.reduce((a, b) => a * b, 1) > 2 ** 20) return;
    feeds[vi.name] = Tensor.zeros(vi.dtype, shape);
  }
  session.run(feeds);
}

/** Decodes with every entry point; returns the first error that is not a QintError. */
function decodeAll(bytes: Uint8Array): unknown {
  const attempts = [
    () => {
      const model = decodeModel(bytes);
      decodeModel(encodeModel(model));
      runDecoded(model);
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
  | { kind: 'hugeVarint'; pos: number }
  | { kind: 'wireType'; nth: number; wire: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('hugeVarint' as const), pos: fc.nat() }),
  // Rewrites the wire type of the nth field tag of the top-level message (ir_version as length-delimited, ...).
  fc.record({ kind: fc.constant('wireType' as const), nth: fc.nat({ max: 40 }), wire: fc.integer({ min: 0, max: 7 }) }),
);

/**
 * Byte offsets of the field tags of a protobuf message and, best effort, of the messages nested in its
 * length-delimited fields (4 levels: model → graph → node → attribute); stops at the first malformed field.
 */
function tagOffsets(bytes: readonly number[], start = 0, end = bytes.length, depth = 0, out: number[] = []): number[] {
  let pos = start;
  const varint = (): number => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 10 && pos < bytes.length; i++) {
      const b = bytes[pos++];
      v += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return v;
    }
    return -1;
  };
  while (pos < end) {
    const at = pos;
    const tag = varint();
    if (tag < 0) break;
    out.push(at);
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const n = varint();
      if (n < 0 || pos + n > end) break;
      if (depth < 4) tagOffsets(bytes, pos, pos + n, depth + 1, out);
      pos += n;
    } else break;
  }
  return out;
}

function mutate(source: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = Array.from(source);
  for (const m of mutations) {
    const pos = bytes.length === 0 || m.kind === 'wireType' ? 0 : m.pos % (bytes.length + 1);
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
      case 'wireType': {
        const tags = tagOffsets(bytes);
        if (tags.length) {
          const t = tags[m.nth % tags.length];
          bytes[t] = (bytes[t] & ~7) | m.wire;
        }
        break;
      }
    }
  }
  return Uint8Array.from(bytes);
}

// ModelProto's known fields and the wire type each must have (ir_version 1 and model_version 5 varints, the rest
// strings or messages).
const MODEL_WIRE: Record<number, number> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2 };

describe('importer fuzz (fixed seed)', () => {
  it('a known ModelProto field given another wire type is always refused', () => {
    const models = seeds.slice(0, 4).map((b) => Array.from(b));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: models.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (which, nth, wire) => {
        const bytes = models[which].slice();
        const top = tagOffsets(bytes, 0, bytes.length, 4); // depth 4: no recursion, top-level tags only
        const at = top[nth % top.length];
        const id = bytes[at] >> 3;
        if (MODEL_WIRE[id] === undefined || MODEL_WIRE[id] === wire) return;
        bytes[at] = (bytes[at] & ~7) | wire;
        expect(() => decodeModel(Uint8Array.from(bytes))).toThrow(OnnxError);
      }),
      { seed: 20261208, numRuns: 300 },
    );
  });

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

describe('external data fuzz (fixed seed)', () => {
  // A model folder with a data file, a sub-folder, a FIFO, a link out of the folder; and a secret beside the folder.
  const root = mkdtempSync(join(tmpdir(), 'qint-ext-fuzz-'));
  const dir = join(root, 'model');
  const data = Uint8Array.from({ length: 64 }, (_, i) => i);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'data.bin'), data);
  writeFileSync(join(root, 'secret.bin'), new Uint8Array(64).fill(0xee));
  symlinkSync(join(root, 'secret.bin'), join(dir, 'out.bin'));
  if (process.platform !== 'win32') execFileSync('mkfifo', [join(dir, 'pipe.bin')]);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const locations = ['data.bin', './data.bin', 'sub/../data.bin', '../secret.bin', '/etc/passwd', 'C:\\x', 'sub', 'pipe.bin', 'out.bin', 'missing.bin', '', 'data.bin\0', '\\data.bin', 'sub//..//data.bin'];
  const number = fc.oneof(fc.nat({ max: 80 }).map(String), fc.constantFrom('-1', '1e3', '0x10', ' 4', '99999999999999999999', ''), fc.string({ maxLength: 4 }));

  it('reads exactly the bytes asked for inside the folder, or refuses with an OnnxError; never blocks or reads outside', () => {
    fc.assert(
      fc.property(fc.constantFrom(...locations), fc.option(number), fc.option(number), fc.integer({ min: 0, max: 20 }), (location, offset, length, count) => {
        const entries = [{ key: 'location', value: location }];
        if (offset !== null) entries.push({ key: 'offset', value: offset });
        if (length !== null) entries.push({ key: 'length', value: length });
        const proto = { name: 'w', dims: [count], dataType: 2, dataLocation: 1, externalData: entries };
        let t: Tensor;
        try {
          t = decodeTensor(proto, { baseDir: dir });
        } catch (e) {
          if (!(e instanceof OnnxError)) throw e;
          return;
        }
        // uint8 data: what was read must be the run of data.bin starting at the offset.
        const at = Number(offset ?? 0);
        expect(Array.from(t.data as Uint8Array)).toEqual(Array.from(data.subarray(at, at + count)));
        expect(t.size).toBe(count);
      }),
      { seed: 20261208, numRuns: 500 },
    );
  });
});
