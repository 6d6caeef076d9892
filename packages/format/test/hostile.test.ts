import { Tensor } from '@qint/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError, decodeQint, encodeQint, openQint, bytesSource, type FormatErrorReason } from '../src/index';
import { craft, split, xxh64Hex } from './craft';
import { kitchenSinkModel, tinyFloatModel } from './models';

async function rejects(file: Uint8Array, reason: FormatErrorReason, field?: string | RegExp, options = {}): Promise<FormatError> {
  let caught: unknown;
  try {
    await decodeQint(file, options);
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${reason}`).toBeInstanceOf(FormatError);
  const e = caught as FormatError;
  expect(e.code).toBe('ERR_FORMAT');
  expect(e.reason, e.message).toBe(reason);
  if (field !== undefined) expect(e.field).toMatch(field);
  expect(e.offset).toBeGreaterThanOrEqual(0);
  expect(e.offset).toBeLessThanOrEqual(file.byteLength);
  // The lazy reader validates the same way.
  await expect(openQint(bytesSource(file), options).then((r) => r.readModel())).rejects.toMatchObject({ reason });
  return e;
}

const textAt = (file: Uint8Array, offset: number, n: number): string => new TextDecoder().decode(file.subarray(offset, offset + n));

let good: Uint8Array;
let base: { header: any; data: Uint8Array };
const clone = (): any => structuredClone(base.header);

beforeAll(async () => {
  good = await encodeQint(tinyFloatModel());
  base = split(good);
});

describe('preamble', () => {
  it('rejects a wrong magic, naming the byte', async () => {
    const f = good.slice();
    f[2] ^= 0xff;
    expect((await rejects(f, 'BAD_MAGIC', 'preamble.magic')).offset).toBe(2);
    await rejects(new TextEncoder().encode('PK\u0003\u0004 not a qint file at all, a zip'), 'BAD_MAGIC');
  });

  it('rejects truncation anywhere', async () => {
    await rejects(good.subarray(0, 5), 'TRUNCATED', 'preamble.magic');
    await rejects(good.subarray(0, 20), 'TRUNCATED', 'preamble');
    await rejects(good.subarray(0, 40), 'TRUNCATED', 'preamble.headerLength');
    await rejects(good.subarray(0, good.length - 1), 'TRUNCATED', 'preamble.dataLength');
    await rejects(new Uint8Array(0), 'TRUNCATED');
  });

  it('rejects trailing bytes', async () => {
    const f = new Uint8Array(good.length + 1);
    f.set(good);
    await rejects(f, 'TRAILING_BYTES');
  });

  it('refuses a newer major version and says which version is needed', async () => {
    const e = await rejects(await craft(base.header, base.data, { major: 2, minor: 3 }), 'UNSUPPORTED_VERSION', 'preamble.version');
    expect(e.message).toContain('2.3');
    expect(e.message).toContain('format 2.x');
    expect(e.offset).toBe(8);
    await rejects(await craft(base.header, base.data, { major: 0 }), 'UNSUPPORTED_VERSION');
  });

  it('accepts a newer minor version', async () => {
    const doc = await decodeQint(await craft(base.header, base.data, { minor: 9 }));
    expect(doc.version).toEqual({ major: 1, minor: 9 });
  });

  it('checks the header length against the cap and the file size before allocating', async () => {
    const f = await craft(base.header, base.data, { headerLength: 0xffffffff });
    expect((await rejects(f, 'HEADER_TOO_LARGE', 'preamble.headerLength')).offset).toBe(12);
    await rejects(good, 'HEADER_TOO_LARGE', undefined, { maxHeaderBytes: 100 });
    await rejects(await craft(base.header, base.data, { headerLength: 60000 }), 'TRUNCATED', 'preamble.headerLength');
    await rejects(await craft(base.header, base.data, { headerLength: 1 }), 'BAD_JSON');
  });

  it('checks the data length with 64-bit arithmetic', async () => {
    await rejects(await craft(base.header, base.data, { dataLength: 2 ** 53 + 64 }), 'RANGE_OUT_OF_BOUNDS', 'preamble.dataLength');
    await rejects(await craft(base.header, base.data, { dataLength: 2 ** 40 }), 'TRUNCATED', 'preamble.dataLength');
  });
});

describe('header integrity and syntax', () => {
  it('detects a corrupt header byte by checksum; without verification the structure is still validated', async () => {
    const f = good.slice();
    const at = 32 + textAt(f, 32, 4000).indexOf('mlp'); // the graph name
    f[at] = 'n'.charCodeAt(0);
    const e = await rejects(f, 'CHECKSUM_MISMATCH', 'header');
    expect(e.offset).toBe(32);
    const doc = await decodeQint(f, { verifyChecksums: false });
    expect(doc.model.graph.name).toBe('nlp');
  });

  it('rejects invalid UTF-8 with its offset', async () => {
    const json = new TextEncoder().encode(JSON.stringify(base.header));
    const at = new TextDecoder().decode(json).indexOf('mlp');
    json[at] = 0xff;
    expect((await rejects(await craft(json, base.data), 'BAD_UTF8', 'header')).offset).toBe(32 + at);
    json[at] = 0xed; // a UTF-8-encoded surrogate (ED A0 80) is invalid too
    json[at + 1] = 0xa0;
    json[at + 2] = 0x80;
    await rejects(await craft(json, base.data), 'BAD_UTF8');
  });

  it('rejects invalid JSON, deep nesting, huge numbers and lone surrogates', async () => {
    const text = JSON.stringify(base.header);
    await rejects(await craft(`${text.slice(0, -1)},}`, base.data), 'BAD_JSON');
    await rejects(await craft(`${text.slice(0, -1)},"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`, base.data), 'BAD_JSON');
    await rejects(await craft(`${text.slice(0, -1)},"n":1e999}`, base.data), 'BAD_JSON');
    await rejects(await craft(`${text.slice(0, -1)},"s":"\\ud800"}`, base.data), 'BAD_JSON');
    await rejects(await craft(`\ufeff${text}`, base.data), 'BAD_JSON');
    await rejects(await craft('[]', base.data), 'BAD_FIELD', 'header');
  });

  it('rejects duplicate keys, which JSON.parse would silently resolve', async () => {
    const text = JSON.stringify(base.header);
    const dup = text.replace('"name":"mlp"', '"name":"mlp","name":"evil"');
    const e = await rejects(await craft(dup, base.data), 'DUPLICATE_KEY', 'header');
    expect(textAt(await craft(dup, base.data), e.offset, 13)).toBe('"name":"evil"');
  });
});

describe('tensor table', () => {
  const mutate = async (f: (h: any) => void, data = base.data): Promise<Uint8Array> => {
    const h = clone();
    f(h);
    return craft(h, data);
  };

  it('rejects unknown dtypes, naming the field and offset', async () => {
    // float64 is a qint dtype now; complex64 (an ONNX type qint has no storage for) is not.
    const file = await mutate((h) => (h.tensors[0].dtype = 'complex64'));
    const e = await rejects(file, 'BAD_DTYPE', 'tensors[0].dtype');
    expect(textAt(file, e.offset, 11)).toBe('"complex64"');
  });

  it('rejects bad shapes and shape/length mismatches, with overflow-safe products', async () => {
    await rejects(await mutate((h) => (h.tensors[0].shape = [4, -3])), 'BAD_SHAPE', 'tensors[0].shape[1]');
    await rejects(await mutate((h) => (h.tensors[0].shape = [4, 1.5])), 'BAD_SHAPE', 'tensors[0].shape[1]');
    await rejects(await mutate((h) => (h.tensors[0].shape = [2 ** 31, 2 ** 31, 2 ** 31])), 'BAD_SHAPE', 'tensors[0].shape');
    await rejects(await mutate((h) => (h.tensors[0].shape = [2 ** 26, 2 ** 26])), 'BAD_SHAPE', 'tensors[0].shape'); // 2^52 floats = 2^54 bytes
    await rejects(await mutate((h) => (h.tensors[0].shape = [4, 4])), 'BAD_SHAPE', 'tensors[0].length');
    await rejects(await mutate((h) => (h.tensors[0].shape = new Array(65).fill(1))), 'BAD_SHAPE');
    await rejects(await mutate((h) => (h.tensors[0].shape = 'big')), 'BAD_FIELD', 'tensors[0].shape');
  });

  it('rejects ranges outside the data section, overlapping or leaving gaps', async () => {
    await rejects(await mutate((h) => (h.tensors[1].offset = 2 ** 53 - 1)), 'RANGE_OUT_OF_BOUNDS', 'tensors[1].offset');
    await rejects(await mutate((h) => (h.tensors[1].offset = 120)), 'RANGE_OUT_OF_BOUNDS');
    await rejects(await mutate((h) => (h.tensors[1].offset = 0)), 'RANGE_OVERLAP', /tensors\[\d\]\.offset/);
    await rejects(await mutate((h) => (h.tensors[1].offset = 20)), 'RANGE_OVERLAP');
    const padded = new Uint8Array(base.data.length + 128);
    padded.set(base.data);
    await rejects(await mutate((h) => (h.tensors[1].offset += 128), padded), 'RANGE_GAP', 'tensors[1].offset');
    await rejects(await mutate(() => {}, padded), 'RANGE_GAP', 'preamble.dataLength');
    await rejects(await mutate((h) => (h.tensors[1].offset = -64)), 'BAD_FIELD', 'tensors[1].offset');
  });

  it('names the corrupt tensor on a data checksum mismatch, and verification can be skipped', async () => {
    const f = good.slice();
    const { header } = split(good);
    const dataOffset = good.length - base.data.length;
    const b = header.tensors.find((t: any) => t.name === 'B');
    f[dataOffset + b.offset + 2] ^= 0x01;
    const e = await rejects(f, 'CHECKSUM_MISMATCH', `tensors[${header.tensors.indexOf(b)}]`);
    expect(e.message).toContain('"B"');
    expect(e.offset).toBe(dataOffset + b.offset);
    const doc = await decodeQint(f, { verifyChecksums: false });
    expect(doc.model.graph.initializers.get('B')!.data[0]).not.toBe(Math.fround(0.1));
    await rejects(await mutate((h) => (h.tensors[0].checksum = 'XYZ')), 'BAD_FIELD', 'tensors[0].checksum');
  });

  it('requires every table entry to be referenced exactly once', async () => {
    await rejects(await mutate((h) => (h.graph.initializers[1].tensor = 0)), 'DUPLICATE_REFERENCE', 'graph.initializers[1].tensor');
    await rejects(await mutate((h) => (h.graph.initializers[1].tensor = 7)), 'DANGLING_REFERENCE', 'graph.initializers[1].tensor');
    await rejects(
      await mutate((h) => {
        h.graph.initializers.pop();
        h.graph.nodes[1].inputs[1] = 'h';
      }),
      'UNREFERENCED_TENSOR',
      'tensors[1]',
    );
  });
});

describe('graph and quantization params', () => {
  let sink: { header: any; data: Uint8Array };
  beforeAll(async () => {
    sink = split(await encodeQint(kitchenSinkModel()));
  });
  const mutateSink = async (f: (h: any) => void): Promise<Uint8Array> => {
    const h = structuredClone(sink.header);
    f(h);
    return craft(h, sink.data);
  };
  const quantOf = (h: any, name: string): any => h.tensors.find((t: any) => t.name === name).quant;

  it('rejects unresolvable graph references', async () => {
    await rejects(await mutateSink((h) => (h.graph.nodes[1].inputs[0] = 'nowhere')), 'DANGLING_REFERENCE', 'graph.nodes[1].inputs[0]');
    await rejects(await mutateSink((h) => (h.graph.outputs[0].name = 'nowhere')), 'DANGLING_REFERENCE', 'graph.outputs[0]');
    await rejects(await mutateSink((h) => h.graph.quantParams.push('x')), 'DANGLING_REFERENCE', /graph\.quantParams\[\d+\]/);
    // subgraph nodes see outer values defined before the If node, not after it
    await rejects(await mutateSink((h) => (h.graph.nodes[2].attributes.then_branch.value.nodes[0].inputs[0] = 'y')), 'DANGLING_REFERENCE', /then_branch\.value\.nodes\[0\]\.inputs\[0\]/);
    await rejects(await mutateSink((h) => (h.graph.nodes[1].attributes.t.value = 10_000)), 'DANGLING_REFERENCE', /attributes\.t\.value/);
  });

  it('rejects inconsistent quantization params', async () => {
    await rejects(await mutateSink((h) => (quantOf(h, 'w_tensor_u8').scale = [0])), 'BAD_QUANT_PARAMS', /scale\[0\]/);
    await rejects(await mutateSink((h) => (quantOf(h, 'w_tensor_u8').scale = [1e-50])), 'BAD_QUANT_PARAMS', /scale\[0\]/); // underflows float32
    await rejects(await mutateSink((h) => (quantOf(h, 'w_tensor_u8').scale = [1e39])), 'BAD_QUANT_PARAMS'); // overflows float32
    await rejects(await mutateSink((h) => (quantOf(h, 'w_tensor_u8').scale = ['NaN'])), 'BAD_QUANT_PARAMS');
    await rejects(await mutateSink((h) => (quantOf(h, 'w_tensor_u8').zeroPoint = [256])), 'BAD_QUANT_PARAMS', /zeroPoint\[0\]/);
    await rejects(await mutateSink((h) => (quantOf(h, 'w_axis_i8').zeroPoint = [0, 0.5, 0])), 'BAD_QUANT_PARAMS');
    await rejects(await mutateSink((h) => (quantOf(h, 'w_axis_i8').scale = [1, 1])), 'BAD_QUANT_PARAMS', /\.scale$/);
    await rejects(await mutateSink((h) => (quantOf(h, 'w_axis_i8').axis = 2)), 'BAD_QUANT_PARAMS', /\.axis$/);
    await rejects(await mutateSink((h) => (quantOf(h, 'w_block_i4').blockSize = 0)), 'BAD_QUANT_PARAMS', /blockSize/);
    await rejects(await mutateSink((h) => (quantOf(h, 'w_block_i4').blockSize = 16)), 'BAD_QUANT_PARAMS'); // 5 blocks per row, 9 scales given
    await rejects(await mutateSink((h) => (quantOf(h, 'w_block_i4').dtype = 'int8')), 'BAD_QUANT_PARAMS', /\.dtype$/);
    await rejects(await mutateSink((h) => (quantOf(h, 'w_tensor_u8').granularity = 'per-row')), 'BAD_QUANT_PARAMS');
    await rejects(await mutateSink((h) => (quantOf(h, 'w_axis_many').scale.tensor = quantOf(h, 'w_axis_many').zeroPoint.tensor)), 'BAD_QUANT_PARAMS', /scale\.tensor/);
    await rejects(await mutateSink((h) => h.graph.quantParams.splice(0, 1)), 'BAD_QUANT_PARAMS');
  });

  it('rejects non-finite or zero scales stored in the data section, pointing at the bad float', async () => {
    const h = structuredClone(sink.header);
    const scaleEntry = h.tensors[quantOf(h, 'w_axis_many').scale.tensor];
    const data = sink.data.slice();
    new DataView(data.buffer).setFloat32(scaleEntry.offset + 4 * 5, -1, true);
    scaleEntry.checksum = await xxh64Hex(data.subarray(scaleEntry.offset, scaleEntry.offset + scaleEntry.length));
    const file = await craft(h, data);
    const e = await rejects(file, 'BAD_QUANT_PARAMS', /scale\[5\]/);
    expect(new DataView(file.buffer).getFloat32(e.offset, true)).toBe(-1);
  });

  it('rejects attributes and metadata of the wrong type', async () => {
    await rejects(await mutateSink((h) => (h.graph.nodes[1].attributes.alpha.value = 'fast')), 'BAD_FIELD', /attributes\.alpha\.value/);
    await rejects(await mutateSink((h) => (h.graph.nodes[1].attributes.alpha.type = 'complex')), 'BAD_FIELD', /attributes\.alpha\.type/);
    await rejects(await mutateSink((h) => (h.metadata = { user: { a: 1 } })), 'BAD_FIELD', 'metadata.user.a');
    await rejects(await mutateSink((h) => (h.model.irVersion = '10')), 'BAD_FIELD', 'model.irVersion');
    await rejects(await mutateSink((h) => (h.graph.inputs[0].dtype = 'complex64')), 'BAD_DTYPE');
    await rejects(await mutateSink((h) => delete h.graph), 'BAD_FIELD', 'graph');
  });
});

describe('writer', () => {
  it('refuses models the reader would refuse', async () => {
    const m = tinyFloatModel();
    const bad = { ...m, graph: { ...m.graph, nodes: [{ ...m.graph.nodes[0], inputs: ['x', 'missing'] }, ...m.graph.nodes.slice(1)] } };
    await expect(encodeQint(bad)).rejects.toMatchObject({ reason: 'DANGLING_REFERENCE', offset: -1 });
    await expect(encodeQint(m, { maxHeaderBytes: 100 })).rejects.toMatchObject({ reason: 'HEADER_TOO_LARGE' });
    const badTensor = { ...m, graph: { ...m.graph, initializers: new Map([['W', { dtype: 'float32', shape: [9], data: new Float32Array(2) } as unknown as Tensor], ['B', m.graph.initializers.get('B')!]]) } };
    await expect(encodeQint(badTensor)).rejects.toMatchObject({ reason: 'BAD_SHAPE' });
    await expect(encodeQint(null as never)).rejects.toBeInstanceOf(FormatError);
    await expect(encodeQint({ ...m, graph: { ...m.graph, initializers: {} as never } })).rejects.toMatchObject({ reason: 'BAD_ARGUMENT' });
    await expect(encodeQint(m, { metadata: { recipe: { n: 1n } as never } })).rejects.toMatchObject({ reason: 'BAD_ARGUMENT' });
  });
});
