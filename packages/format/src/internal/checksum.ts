// xxHash64 (seed 0) from the `xxhash-wasm` package: ~11 kB, no native parts, same code in Node and browsers.
// Input is fed in 1 MiB slices so the hasher's WASM memory stays small however large a tensor is.
import xxhash from 'xxhash-wasm';

type Hasher = { update(input: Uint8Array): Hasher; digest(): bigint };
type Api = { create64(seed?: bigint): Hasher };

let api: Promise<Api> | undefined;
let ready: Api | undefined;

const CHUNK = 1 << 20;

/** Loads the hashing WASM once (async: WebAssembly instantiation is async in browsers). */
export async function loadChecksum(): Promise<void> {
  if (ready) return;
  api ??= xxhash() as unknown as Promise<Api>;
  ready = await api;
}

/** Incremental xxHash64 over several byte ranges. Call {@link loadChecksum} first. */
export function createChecksum(): { update(bytes: Uint8Array): void; hex(): string } {
  if (!ready) throw new Error('checksum used before loadChecksum()'); // internal invariant, never reached from public API
  const h = ready.create64(0n);
  return {
    update(bytes: Uint8Array): void {
      for (let o = 0; o < bytes.length; o += CHUNK) h.update(bytes.subarray(o, Math.min(bytes.length, o + CHUNK)));
    },
    hex(): string {
      return h.digest().toString(16).padStart(16, '0');
    },
  };
}

/** xxHash64 of `bytes` as 16 lower-case hex digits. Call {@link loadChecksum} first. */
export function checksumHex(bytes: Uint8Array): string {
  const c = createChecksum();
  c.update(bytes);
  return c.hex();
}
