import { bytesSource } from './bytes-source';
import { FormatError } from './format-error';
import type { RangeSource } from './range-source';

/** Options of {@link httpSource}. */
export interface HttpSourceOptions {
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Extra request headers (e.g. authorization). */
  headers?: Record<string, string>;
  /**
   * When the server ignores `Range` and sends the whole file, accept it up to this many bytes (default 2 GiB) and read
   * from memory; larger bodies are refused.
   */
  maxFullBodyBytes?: number;
}

function ioError(message: string, cause?: unknown): FormatError {
  return new FormatError('IO', message, { field: 'url', offset: -1, cause });
}

/** Reads a response body, refusing to buffer more than `max` bytes (a hostile server cannot make us allocate more). */
async function readCapped(res: Response, max: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw ioError(`${what}: the server sends ${declared} bytes, expected at most ${max}`);
  if (!res.body) return new Uint8Array(await res.arrayBuffer()).subarray(0, max + 1);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw ioError(`${what}: the server sent more than the ${max} bytes asked for`);
    }
    parts.push(value);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * A {@link RangeSource} over a URL, using HTTP range requests (`Range: bytes=a-b`), so that {@link openQint} fetches
 * the header and then only the tensors read. A server that ignores ranges (status 200) is handled by downloading the
 * file once and reading from memory.
 *
 * @param url - the `.qint` file's URL
 * @param options - {@link HttpSourceOptions}
 * @returns the source
 * @throws {@link FormatError} (`IO`) when the server answers with an error or an inconsistent range
 * @example
 * ```ts
 * const reader = await openQint(await httpSource('/models/mnist-int8.qint'));
 * const { model } = await reader.readModel();
 * ```
 */
export async function httpSource(url: string | URL, options: HttpSourceOptions = {}): Promise<RangeSource> {
  const f = options.fetch ?? globalThis.fetch;
  if (typeof f !== 'function') throw new FormatError('BAD_ARGUMENT', 'httpSource needs fetch (pass options.fetch on runtimes without it)', { field: 'options.fetch', offset: -1 });
  const headers = options.headers ?? {};
  const request = async (range: string): Promise<Response> => {
    try {
      return await f(url, { headers: { ...headers, Range: range } });
    } catch (e) {
      throw ioError(`fetching ${String(url)} failed: ${(e as Error)?.message ?? String(e)}`, e);
    }
  };
  const probe = await request('bytes=0-0');
  if (probe.status === 200) {
    return bytesSource(await readCapped(probe, options.maxFullBodyBytes ?? 2 ** 31, String(url)));
  }
  if (probe.status !== 206) throw ioError(`fetching ${String(url)} failed with HTTP ${probe.status}`);
  const match = /^bytes\s+0-0\/(\d+)$/.exec(probe.headers.get('content-range') ?? '');
  await probe.body?.cancel();
  if (!match) throw ioError(`${String(url)}: the server's Content-Range ${JSON.stringify(probe.headers.get('content-range'))} does not give the file size`);
  const size = Number(match[1]);
  if (!Number.isSafeInteger(size)) throw ioError(`${String(url)}: file size ${match[1]} is out of range`);
  return {
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      if (length === 0) return new Uint8Array(0);
      const res = await request(`bytes=${offset}-${offset + length - 1}`);
      if (res.status !== 206) {
        await res.body?.cancel();
        throw ioError(`${String(url)}: a range request for bytes ${offset}-${offset + length - 1} got HTTP ${res.status}`);
      }
      return readCapped(res, length, `${String(url)} bytes ${offset}-${offset + length - 1}`);
    },
  };
}
