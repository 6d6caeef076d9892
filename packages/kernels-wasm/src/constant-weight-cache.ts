import { ValueError } from '@qint/tensor';
import type { WasmHeap } from './wasm-heap';

interface CacheEntry {
  address: number;
  bytes: number;
  /** Extra parameters the cached form depends on (e.g. zero points baked into packed panels). */
  params: Int32Array;
}

/**
 * Opt-in cache of constant weight operands (`createWasmBackend({ cacheConstantWeights: true })`): the copy or packed
 * form of a `b` / `w` array is kept in the persistent region, keyed by the array object, so repeated calls with the
 * same initializer skip the copy and the packing. The caller promises never to mutate a cached array. Entries are
 * released when the array is garbage-collected (FinalizationRegistry) or when the backend is disposed.
 */
export class ConstantWeightCache {
  private readonly entries = new WeakMap<object, Map<string, CacheEntry>>();
  private readonly registry: FinalizationRegistry<number[]>;
  private readonly owned = new Map<number, number>();

  constructor(private readonly heap: () => WasmHeap | undefined) {
    this.registry = new FinalizationRegistry((addresses) => {
      const h = this.heap();
      for (const a of addresses) {
        if (this.owned.delete(a)) h?.releasePersistent(a);
      }
    });
  }

  /** Bytes held by cached weights. */
  get bytes(): number {
    let s = 0;
    for (const b of this.owned.values()) s += b;
    return s;
  }

  /** Number of cached forms. */
  get size(): number {
    return this.owned.size;
  }

  /**
   * Returns the address of the cached form of `array` under `key` (built by `build` on first use).
   *
   * @param array - the weight array (identity is the key)
   * @param key - which form (e.g. 'gemm-panels-transB')
   * @param params - parameters the form depends on; a mismatch rebuilds it
   * @param bytes - size of the form
   * @param build - writes the form at the given persistent address
   */
  get(array: object, key: string, params: Int32Array, bytes: number, build: (address: number) => void): number {
    let forms = this.entries.get(array);
    const hit = forms?.get(key);
    if (hit && hit.bytes === bytes && sameInts(hit.params, params)) return hit.address;
    const heap = this.heap();
    if (!heap) throw new ValueError('the WASM backend was disposed; create a new one');
    if (hit && this.owned.delete(hit.address)) heap.releasePersistent(hit.address);
    const address = heap.allocPersistent(bytes, 'constant weight cache');
    try {
      build(address);
    } catch (e) {
      heap.releasePersistent(address);
      throw e;
    }
    if (!forms) {
      forms = new Map();
      this.entries.set(array, forms);
    }
    forms.set(key, { address, bytes, params: params.slice() });
    this.owned.set(address, bytes);
    this.registry.register(array, [address]);
    return address;
  }

  /** Forgets every entry (the heap itself is being dropped). */
  clear(): void {
    this.owned.clear();
  }
}

function sameInts(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
