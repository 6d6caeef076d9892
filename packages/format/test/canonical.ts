// Maps a model to plain data with tensors as a SHA-256 of their raw bytes, so that toEqual compares tensors bit for
// bit (NaN payloads, -0) and graphs field for field — in milliseconds: a deep comparison of the bytes themselves
// takes most of a minute on a multi-megabyte model.
import { pinOpVersions, type Model } from '@qint/graph';
import { createHash } from 'node:crypto';
import { QuantParams, Tensor } from '@qint/tensor';

// Readers and the writer pin every node to its operator version (Node.sinceVersion): a model built in memory
// compares equal to the file's once pinned the same way.
export function canonical(v: unknown): unknown {
  const m = v as Model;
  return plain(m !== null && typeof m === 'object' && m.graph !== undefined && m.opsetImports !== undefined ? pinOpVersions(m) : v);
}

function plain(v: unknown): unknown {
  if (v instanceof Tensor) {
    const d = v.data as ArrayBufferView;
    const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    return { tensor: v.dtype, shape: [...v.shape], length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  if (v instanceof QuantParams) {
    return { qp: v.granularity, dtype: v.dtype, axis: v.axis, blockSize: v.blockSize, scale: new Uint8Array(v.scale.slice().buffer), zeroPoint: Array.from(v.zeroPoint) };
  }
  if (v instanceof Map) return { map: [...v.entries()].map(([k, x]) => [k, plain(x)]) };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) Object.defineProperty(out, k, { value: plain(x), enumerable: true });
    }
    return out;
  }
  return v;
}
