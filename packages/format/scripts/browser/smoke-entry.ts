// Runs in Chromium (bundled by browser-smoke.mjs): the browser paths of @qint/format — WASM checksums, a
// WritableStream writer, Blob range reads, HTTP range reads with fetch — on a model with every dtype.
import { blobSource, decodeQint, encodeQint, httpSource, openQint, writeQint } from '../../src/index';
import { canonical } from '../../test/canonical';
import { kitchenSinkModel } from '../../test/models';

async function run(): Promise<string[]> {
  const log: string[] = [];
  const check = (what: string, ok: boolean): void => {
    log.push(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  };
  const same = (a: unknown, b: unknown): boolean => {
    const x = JSON.stringify(canonical(a), replacer);
    const y = JSON.stringify(canonical(b), replacer);
    if (x === y) return true;
    let i = 0;
    while (x[i] === y[i]) i++;
    log.push(`  differs at ${i}: ${x.slice(Math.max(0, i - 80), i + 40)} | ${y.slice(Math.max(0, i - 80), i + 40)}`);
    return false;
  };
  const model = kitchenSinkModel();
  const bytes = await encodeQint(model);
  check(`encodeQint: ${bytes.byteLength} bytes`, bytes.byteLength > 0);
  // Hand the file to the test server, which then serves it with range support.
  await fetch('/model.qint', { method: 'PUT', body: bytes as BlobPart });
  const doc = await decodeQint(bytes);
  check('decodeQint round trip identical', same(doc.model, model));
  check('zero-copy views', [...doc.model.graph.initializers.values()].every((t) => (t.data as ArrayBufferView).buffer === bytes.buffer));
  const chunks: Uint8Array[] = [];
  await writeQint(model, new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c.slice()) }));
  const blob = new Blob(chunks as BlobPart[]);
  check('writeQint to a WritableStream gives the same bytes', same(new Uint8Array(await blob.arrayBuffer()), bytes));
  const fromBlob = await openQint(blobSource(blob));
  check('Blob lazy reader', same((await fromBlob.readModel()).model, model));
  const fromHttp = await openQint(await httpSource('/model.qint'));
  check('HTTP range reader', same((await fromHttp.readModel()).model, model));
  const corrupt = bytes.slice();
  corrupt[fromBlob.info.tensors[3].byteOffset] ^= 1;
  const err = await decodeQint(corrupt).catch((e: unknown) => e as { reason?: string; field?: string });
  check(`corruption detected: ${err && (err as { reason?: string }).reason} at ${(err as { field?: string }).field}`, (err as { reason?: string }).reason === 'CHECKSUM_MISMATCH');
  return log;
}

function replacer(_k: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  // Property order is not part of the model: compare objects with sorted keys.
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
  if (typeof v === 'number' && (Number.isNaN(v) || !Number.isFinite(v) || Object.is(v, -0))) return `num:${Object.is(v, -0) ? '-0' : String(v)}`;
  return v;
}

(globalThis as { smoke?: Promise<string[]> }).smoke = run().catch((e: unknown) => [`FAIL exception ${(e as Error)?.stack ?? String(e)}`]);
