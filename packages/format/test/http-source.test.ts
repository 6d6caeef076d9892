import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeQint, httpSource, openQint } from '../src/index';
import { canonical } from './canonical';
import { kitchenSinkModel } from './models';

let file: Uint8Array;
let server: Server;
let base = '';
const ranges: string[] = [];

beforeAll(async () => {
  file = await encodeQint(kitchenSinkModel());
  // A loopback server: /ranged honours Range like a static file server, /plain ignores it, /greedy lies.
  server = createServer((req, res) => {
    const range = req.headers.range;
    if (req.url === '/ranged' && range) {
      ranges.push(range);
      const m = /^bytes=(\d+)-(\d+)$/.exec(range)!;
      const a = Number(m[1]);
      const b = Math.min(Number(m[2]), file.length - 1);
      res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${file.length}`, 'Content-Length': b - a + 1 });
      res.end(Buffer.from(file.subarray(a, b + 1)));
    } else if (req.url === '/greedy' && range) {
      res.writeHead(206, { 'Content-Range': range === 'bytes=0-0' ? `bytes 0-0/${file.length}` : `bytes 0-${file.length - 1}/${file.length}` });
      res.end(Buffer.from(range === 'bytes=0-0' ? file.subarray(0, 1) : file));
    } else if (req.url === '/missing') {
      res.writeHead(404).end();
    } else {
      res.writeHead(200, { 'Content-Length': file.length });
      res.end(Buffer.from(file));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('httpSource', () => {
  it('reads the header and then single tensors with range requests', async () => {
    ranges.length = 0;
    const reader = await openQint(await httpSource(`${base}/ranged`));
    expect(ranges.length).toBe(3); // size probe, preamble, header
    const entry = reader.info.tensors.find((t) => t.name === 'w_axis_i8')!;
    const t = await reader.readTensor('w_axis_i8');
    expect(ranges.at(-1)).toBe(`bytes=${entry.byteOffset}-${entry.byteOffset + entry.byteLength - 1}`);
    expect(canonical(t)).toEqual(canonical(kitchenSinkModel().graph.initializers.get('w_axis_i8')));
    expect(canonical((await reader.readModel()).model)).toEqual(canonical(kitchenSinkModel()));
  });

  it('falls back to one download when the server ignores Range, and reports HTTP errors and oversized answers', async () => {
    const reader = await openQint(await httpSource(`${base}/plain`));
    expect(canonical((await reader.readModel()).model)).toEqual(canonical(kitchenSinkModel()));
    await expect(httpSource(`${base}/missing`)).rejects.toMatchObject({ reason: 'IO' });
    await expect(openQint(await httpSource(`${base}/greedy`))).rejects.toMatchObject({ reason: 'IO' });
    await expect(httpSource(`${base}/plain`, { maxFullBodyBytes: 100 })).rejects.toMatchObject({ reason: 'IO' });
  });
});
