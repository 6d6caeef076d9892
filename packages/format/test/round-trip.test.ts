import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { QINT_ALIGNMENT, QINT_MAGIC, decodeQint, encodeQint, inspectQint, openQint, bytesSource, blobSource, writeQint } from '../src/index';
import { canonical } from './canonical';
import { everyDtypeTensors, kitchenSinkModel, tinyFloatModel } from './models';

describe('round trip', () => {
  it('keeps every dtype, granularity, attribute kind and subgraph bit-identical', async () => {
    const model = kitchenSinkModel();
    const bytes = await encodeQint(model);
    const doc = await decodeQint(bytes);
    expect(canonical(doc.model)).toEqual(canonical(model));
    // -0 and NaN survive as attribute values (toEqual uses Object.is on numbers).
    const attrs = doc.model.graph.nodes[1].attributes;
    expect(Object.is((attrs.alpha as { value: number }).value, -0)).toBe(true);
    expect(Object.hasOwn(attrs, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(doc.model.metadata)).toBe(Object.prototype);
    expect(doc.model.metadata['__proto__' as string]).toBe('x');
  });

  it('views aligned tensor data in place (no copy) and re-encodes to identical bytes', async () => {
    const bytes = await encodeQint(kitchenSinkModel());
    const doc = await decodeQint(bytes);
    for (const [name, t] of doc.model.graph.initializers) {
      expect((t.data as ArrayBufferView).buffer, name).toBe(bytes.buffer);
      const off = (t.data as ArrayBufferView).byteOffset;
      expect(off % QINT_ALIGNMENT, name).toBe(0);
    }
    expect(await encodeQint(doc.model, doc)).toEqual(bytes);
  });

  it('copies data that is misaligned in the caller buffer instead of viewing it misaligned', async () => {
    const bytes = await encodeQint(tinyFloatModel());
    const shifted = new Uint8Array(bytes.byteLength + 1).subarray(1);
    shifted.set(bytes);
    const doc = await decodeQint(shifted);
    const w = doc.model.graph.initializers.get('W')!;
    expect((w.data as Float32Array).buffer).not.toBe(shifted.buffer);
    expect(Array.from(w.data as Float32Array)).toEqual([0.5, -1, 2, 0.25, 0, -0.5, 1, 1, 1, -2, 0.125, 3]);
  });

  it('lays out the bytes as specified (hand-checked against the spec table)', async () => {
    const t = Tensor.from('int16', [3], [1, -2, 258]);
    const model = { ...tinyFloatModel(), graph: { ...tinyFloatModel().graph, nodes: [], outputs: [{ name: 'k' }], inputs: [], initializers: new Map([['k', t]]) } };
    const bytes = await encodeQint(model);
    expect(Array.from(bytes.subarray(0, 8))).toEqual(Array.from(QINT_MAGIC));
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint16(8, true)).toBe(1);
    expect(view.getUint16(10, true)).toBe(1);
    const headerLength = view.getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(32, 32 + headerLength)));
    const dataOffset = Math.ceil((32 + headerLength) / 64) * 64;
    expect(view.getUint32(24, true)).toBe(64); // one 6-byte tensor padded to 64
    expect(bytes.byteLength).toBe(dataOffset + 64);
    expect(header.tensors).toEqual([{ name: 'k', dtype: 'int16', shape: [3], offset: 0, length: 6, checksum: expect.stringMatching(/^[0-9a-f]{16}$/) }]);
    // little-endian int16: 1, -2 (0xfffe), 258 (0x0102)
    expect(Array.from(bytes.subarray(dataOffset, dataOffset + 6))).toEqual([1, 0, 0xfe, 0xff, 2, 1]);
    expect(Array.from(bytes.subarray(32 + headerLength, dataOffset)).every((b) => b === 0)).toBe(true);
  });

  it('uses xxHash64 (reference vectors from the xxHash spec)', async () => {
    const make = (bytesOfTensor: Uint8Array) => ({ ...tinyFloatModel(), graph: { ...tinyFloatModel().graph, nodes: [], inputs: [], outputs: [{ name: 'k' }], initializers: new Map([['k', Tensor.from('uint8', [bytesOfTensor.length], bytesOfTensor)]]) } });
    const info = await inspectQint(await encodeQint(make(new TextEncoder().encode('abc'))));
    expect(info.tensors[0].checksum).toBe('44bc2cf5ad770999');
    const empty = await inspectQint(await encodeQint(make(new Uint8Array(0))));
    expect(empty.tensors[0].checksum).toBe('ef46db3751d8e999');
  });

  it('keeps metadata and unknown top-level fields across a re-save', async () => {
    const metadata = { recipe: { mode: 'static', weightBits: 4 }, plan: [{ node: 'mm', bits: 4 }], calibration: { samples: 128 }, user: { author: 'me', '__proto__': 'p' }, futureKey: [1, 2] };
    const bytes = await encodeQint(tinyFloatModel(), { metadata, extensions: { x_future: { nested: true }, producer: 'ignored: known key' } });
    const doc = await decodeQint(bytes);
    expect(doc.metadata).toEqual(metadata);
    expect(doc.extensions).toEqual({ x_future: { nested: true } });
    expect(doc.producer).toEqual({ name: '@qint/format', version: '0.1.0' });
    const again = await decodeQint(await encodeQint(doc.model, doc));
    expect(again.extensions).toEqual({ x_future: { nested: true } });
    expect(again.metadata).toEqual(metadata);
  });

  it('reads lazily per tensor through bytes, Blob and WritableStream round trips', async () => {
    const model = kitchenSinkModel();
    const chunks: Uint8Array[] = [];
    const stream = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c.slice()) });
    const n = await writeQint(model, stream);
    const joined = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.byteLength;
    }
    expect(at).toBe(n);
    expect(joined).toEqual(await encodeQint(model));
    for (const source of [bytesSource(joined), blobSource(new Blob([joined]))]) {
      const reader = await openQint(source);
      expect(reader.info.tensors.length).toBeGreaterThan(20);
      const t = await reader.readTensor('i64');
      expect(Array.from(t.data as BigInt64Array)).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]);
      await expect(reader.readTensor('no-such-tensor')).rejects.toMatchObject({ reason: 'BAD_ARGUMENT' });
      await expect(reader.readTensor('__proto__')).rejects.toMatchObject({ reason: 'BAD_ARGUMENT' });
      expect(canonical((await reader.readModel()).model)).toEqual(canonical(model));
      await reader.close();
    }
  });

  it('round-trips each dtype alone', async () => {
    for (const [name, t] of everyDtypeTensors()) {
      const base = tinyFloatModel();
      const model = { ...base, graph: { ...base.graph, nodes: [], inputs: [], outputs: [{ name }], initializers: new Map([[name, t]]) } };
      const doc = await decodeQint(await encodeQint(model));
      expect(canonical(doc.model), name).toEqual(canonical(model));
    }
  });
});
