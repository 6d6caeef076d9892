// JS-side ownership of the kernels' linear memory. Two regions:
// - persistent blocks (packed weights) from the bottom, first-fit with coalescing free list;
// - a per-call scratch arena bumped from the end of the persistent region and reset when the call returns, so a
//   long run of calls reuses the same bytes and memory stays flat.
// WebAssembly memory never shrinks; `memory.grow` detaches the old ArrayBuffer, so views are re-created lazily.
import { ValueError } from '@qint/tensor';

const ALIGN = 64;
const PAGE = 65536;
/** wasm32 addresses stop at 4 GiB. */
const MAX_BYTES = 65536 * PAGE;

function alignUp(v: number): number {
  return Math.ceil(v / ALIGN) * ALIGN;
}

interface Block {
  offset: number;
  size: number;
}

/** Allocator and typed-array views over one `WebAssembly.Memory`. */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  private buffer: ArrayBuffer;
  private u8View: Uint8Array;
  private i8View: Int8Array;
  private i16View: Int16Array;
  private i32View: Int32Array;
  private f32View: Float32Array;
  private readonly base: number;
  private persistentTop: number;
  private readonly free: Block[] = [];
  private readonly live = new Map<number, number>();
  private scratchTop = 0;
  private inCall = false;
  /** Largest end address the scratch arena reached. */
  peakBytes = 0;

  constructor(memory: WebAssembly.Memory, heapBase: number) {
    this.memory = memory;
    this.base = alignUp(heapBase);
    this.persistentTop = this.base;
    this.buffer = memory.buffer;
    this.u8View = new Uint8Array(this.buffer);
    this.i8View = new Int8Array(this.buffer);
    this.i16View = new Int16Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
    this.f32View = new Float32Array(this.buffer);
  }

  private refresh(): void {
    // A grown (non-shared) memory detaches its old buffer, whose byteLength becomes 0: that test is ~4× cheaper than
    // the WebAssembly.Memory#buffer getter, and runs on every view access and scratch allocation.
    if (this.buffer.byteLength !== 0) return;
    this.buffer = this.memory.buffer;
    this.u8View = new Uint8Array(this.buffer);
    this.i8View = new Int8Array(this.buffer);
    this.i16View = new Int16Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
    this.f32View = new Float32Array(this.buffer);
  }

  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }
  get i8(): Int8Array {
    this.refresh();
    return this.i8View;
  }
  get i16(): Int16Array {
    this.refresh();
    return this.i16View;
  }
  get i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }
  get f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  /** Bytes of linear memory currently reserved from the host. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes held by live persistent blocks. */
  get persistentBytes(): number {
    let s = 0;
    for (const size of this.live.values()) s += size;
    return s;
  }

  private ensure(end: number, what: string): void {
    if (end > MAX_BYTES) {
      throw new ValueError(`${what}: needs ${end} bytes of WebAssembly memory, above the 4 GiB limit of wasm32`);
    }
    this.refresh();
    const have = this.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new ValueError(`${what}: could not grow WebAssembly memory to ${end} bytes (${pages} more pages)`, { cause: e });
    }
    this.refresh();
  }

  /** Reserves a persistent block (e.g. packed weights); returns its address. */
  allocPersistent(size: number, what: string): number {
    if (this.inCall) throw new ValueError(`${what}: persistent allocation during a kernel call`);
    const need = alignUp(Math.max(size, 1));
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size >= need) {
        const offset = b.offset;
        if (b.size === need) this.free.splice(i, 1);
        else {
          b.offset += need;
          b.size -= need;
        }
        this.live.set(offset, need);
        return offset;
      }
    }
    const offset = this.persistentTop;
    this.ensure(offset + need, what);
    this.persistentTop = offset + need;
    this.live.set(offset, need);
    return offset;
  }

  /** Returns a persistent block to the free list (idempotent for unknown addresses: returns false). */
  releasePersistent(offset: number): boolean {
    const size = this.live.get(offset);
    if (size === undefined) return false;
    this.live.delete(offset);
    this.free.push({ offset, size });
    this.free.sort((a, b) => a.offset - b.offset);
    // Coalesce neighbours, then give the top block back to the scratch arena.
    for (let i = 0; i + 1 < this.free.length; ) {
      const a = this.free[i];
      const b = this.free[i + 1];
      if (a.offset + a.size === b.offset) {
        a.size += b.size;
        this.free.splice(i + 1, 1);
      } else i++;
    }
    const last = this.free[this.free.length - 1];
    if (last && last.offset + last.size === this.persistentTop) {
      this.persistentTop = last.offset;
      this.free.pop();
    }
    return true;
  }

  /** Starts a call: the scratch arena begins right above the persistent region. */
  beginCall(): void {
    this.scratchTop = this.persistentTop;
    this.inCall = true;
  }

  /** Bump-allocates `size` scratch bytes for the current call (64-byte aligned). */
  scratch(size: number, what: string): number {
    const offset = this.scratchTop;
    const end = offset + alignUp(Math.max(size, 0));
    this.ensure(end, what);
    this.scratchTop = end;
    if (end > this.peakBytes) this.peakBytes = end;
    return offset;
  }

  /** Bump-allocates scratch for `count` float32 values and copies the first `count` values of `src` into it. */
  scratchF32(src: Float32Array, count: number, what: string): number {
    const offset = this.scratch(count * 4, what);
    this.f32.set(count === src.length ? src : src.subarray(0, count), offset >> 2);
    return offset;
  }

  /** Copies the `count` float32 values at `offset` into the start of `out`. */
  readF32(offset: number, count: number, out: Float32Array): void {
    out.set(this.f32.subarray(offset >> 2, (offset >> 2) + count));
  }

  /** Copies the `count` int32 values at `offset` into the start of `out`. */
  readI32(offset: number, count: number, out: Int32Array): void {
    out.set(this.i32.subarray(offset >> 2, (offset >> 2) + count));
  }

  /** Ends a call: every scratch byte is free again. */
  endCall(): void {
    this.scratchTop = this.persistentTop;
    this.inCall = false;
  }
}
