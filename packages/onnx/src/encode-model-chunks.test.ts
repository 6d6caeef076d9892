import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from './decode-model';
import { encodeModel } from './encode-model';
import { encodeModelChunks } from './encode-model-chunks';

describe('encodeModelChunks', () => {
  const model = decodeModel(readFileSync(join(__dirname, '../test/__fixtures__/models/mnist-8/model.onnx')));

  it('hands out each initializer as a view of its tensor, and the joined chunks decode to the same model', () => {
    const { byteLength, chunks } = encodeModelChunks(model);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(byteLength);
    const buffers = new Set(chunks.map((c) => c.buffer));
    for (const [, t] of model.graph.initializers) if (t.data.byteLength > 0) expect(buffers.has(t.data.buffer), 'no copy of the weights').toBe(true);
    // No chunk but the weights themselves is large: the file never exists whole in memory.
    const largest = Math.max(...chunks.filter((c) => ![...model.graph.initializers.values()].some((t) => t.data.buffer === c.buffer)).map((c) => c.length));
    expect(largest).toBeLessThan(4096);
    const joined = new Uint8Array(byteLength);
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    expect(decodeModel(joined)).toEqual(model);
    expect(encodeModel(model)).toEqual(joined);
  });
});
