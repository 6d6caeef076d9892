// ONNX raw_data is little-endian; on a big-endian host each element's bytes are swapped on the way in and out.

/** Whether this host stores typed-array elements little-endian (as ONNX raw_data does). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `width`-byte element in place. */
export function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}
