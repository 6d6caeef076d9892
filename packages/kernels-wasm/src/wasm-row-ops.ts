// The float row/elementwise primitives of transformer graphs (Softmax, exact Gelu, LayerNormalization, the strided
// copy of Transpose/Slice) on the
// kernels of assembly/elementwise.ts: copy in, one call, copy out, all inside the caller's scratch scope.
import type { BinaryF32Args, GeluErfF32Args, LayerNormF32Args, SoftmaxF32Args, StridedCopyF32Args } from '@qint/kernels';
import type { KernelExports } from './wasm-exports';
import type { WasmHeap } from './wasm-heap';

/** Copies `x` into scratch, runs `body(px, pOut)`, copies `count` results back into `out`. */
function throughHeap(heap: WasmHeap, x: Float32Array, count: number, out: Float32Array, what: string, body: (px: number, pOut: number) => void): void {
  const px = heap.scratchF32(x, count, `${what} x`);
  const pOut = heap.scratch(count * 4, `${what} out`);
  body(px, pOut);
  heap.readF32(pOut, count, out);
}

/** Softmax over contiguous rows (see `SoftmaxF32Args`). */
export function softmaxF32Wasm(ex: KernelExports, heap: WasmHeap, args: SoftmaxF32Args): void {
  const { rows, dim, x, out } = args;
  throughHeap(heap, x, rows * dim, out, 'softmaxF32', (px, pOut) => ex.softmaxRows(px, rows, dim, pOut));
}

/** The exact-Gelu chain elementwise (see `GeluErfF32Args`). */
export function geluErfF32Wasm(ex: KernelExports, heap: WasmHeap, args: GeluErfF32Args): void {
  const { x, out } = args;
  throughHeap(heap, x, x.length, out, 'geluErfF32', (px, pOut) => ex.geluErfF32(px, x.length, args.divisor, args.addend, args.scale, pOut));
}

/** LayerNormalization over contiguous rows (see `LayerNormF32Args`). */
export function layerNormF32Wasm(ex: KernelExports, heap: WasmHeap, args: LayerNormF32Args): void {
  const { rows, dim, x, scale, bias, epsilon, out } = args;
  const pScale = heap.scratchF32(scale, scale.length, 'layerNormF32 scale');
  const pBias = bias ? heap.scratchF32(bias, bias.length, 'layerNormF32 bias') : 0;
  throughHeap(heap, x, rows * dim, out, 'layerNormF32', (px, pOut) =>
    ex.layerNormRows(px, rows, dim, pScale, scale.length, pBias, bias ? bias.length : 0, epsilon, pOut),
  );
}

/** Strided copy (see `StridedCopyF32Args`; dims already merged and bounds checked by `stridedCopyF32`). */
export function stridedCopyF32Wasm(ex: KernelExports, heap: WasmHeap, args: StridedCopyF32Args): void {
  const { src, shape, strides, offset, out } = args;
  const rank = shape.length;
  const pSrc = heap.scratchF32(src, src.length, 'stridedCopyF32 src');
  const pDims = heap.scratch(rank * 12 + 4, 'stridedCopyF32 dims');
  const pOut = heap.scratch(out.length * 4, 'stridedCopyF32 out');
  const i32 = heap.i32;
  for (let d = 0; d < rank; d++) {
    i32[(pDims >> 2) + d] = shape[d];
    i32[(pDims >> 2) + rank + d] = strides[d];
  }
  ex.stridedCopyF32(pSrc, rank, pDims, pDims + rank * 4, offset, pDims + rank * 8, pOut);
  heap.readF32(pOut, out.length, out);
}

const BINARY_OPS = { add: 0, sub: 1, mul: 2, div: 3 } as const;

/** Float32 arithmetic with a repeating operand (see `BinaryF32Args`; lengths checked by `binaryF32`). */
export function binaryF32Wasm(ex: KernelExports, heap: WasmHeap, args: BinaryF32Args): void {
  const { a, b, out } = args;
  const pa = heap.scratchF32(a, a.length, 'binaryF32 a');
  const pb = heap.scratchF32(b, b.length, 'binaryF32 b');
  const po = heap.scratch(out.length * 4, 'binaryF32 out');
  ex.binaryF32(BINARY_OPS[args.op], pa, a.length, pb, b.length, out.length, po);
  heap.readF32(po, out.length, out);
}
