// Test-only: encodes a one-node ONNX model (protobuf wire format by hand) so onnxruntime-node can serve as an
// independent oracle. Only the fields needed for that are written.
import type { Tensor } from '@qint/tensor';

class Writer {
  private bytes: number[] = [];
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      this.bytes.push(b);
    } while (x > 0n);
    return this;
  }
  key(no: number, wire: number): this {
    return this.varint((no << 3) | wire);
  }
  int(no: number, v: number): this {
    return this.key(no, 0).varint(v);
  }
  bytesField(no: number, data: Uint8Array): this {
    this.key(no, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  str(no: number, s: string): this {
    return this.bytesField(no, new TextEncoder().encode(s));
  }
  msg(no: number, w: Writer): this {
    return this.bytesField(no, w.finish());
  }
  float(no: number, v: number): this {
    this.key(no, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const ONNX_TYPES: Record<string, number> = { float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, float16: 10, uint4: 21, int4: 22 };

function tensorProto(name: string, t: Tensor): Writer {
  const w = new Writer();
  for (const d of t.shape) w.int(1, d);
  w.int(2, ONNX_TYPES[t.dtype]);
  w.str(8, name);
  const data = t.data as unknown as ArrayBufferView;
  w.bytesField(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return w;
}

function valueInfo(name: string, dtype: string, shape: readonly number[]): Writer {
  const dims = new Writer();
  for (const d of shape) dims.msg(1, new Writer().int(1, d));
  const tensorType = new Writer().int(1, ONNX_TYPES[dtype]).msg(2, dims);
  return new Writer().str(1, name).msg(2, new Writer().msg(1, tensorType));
}

export type Attr = number | number[] | string | { float: number };

/**
 * A model with one node. `inputs[0]` is the graph input (fed at run time), the others are initializers; an
 * undefined entry is an omitted optional input.
 */
export function oneNodeModel(
  opType: string,
  inputs: (Tensor | undefined)[],
  output: { dtype: string; shape: readonly number[] },
  attrs: Record<string, Attr> = {},
  opset = 21,
  extraOutputs: { dtype: string; shape: readonly number[] }[] = [],
): Uint8Array {
  const node = new Writer();
  inputs.forEach((t, i) => node.str(1, t ? `in${i}` : ''));
  node.str(2, 'out');
  extraOutputs.forEach((_o, i) => node.str(2, `out${i + 1}`));
  node.str(3, 'n0').str(4, opType);
  for (const [name, v] of Object.entries(attrs)) {
    const a = new Writer().str(1, name);
    if (typeof v === 'number') a.int(3, v).int(20, 2);
    else if (typeof v === 'string') a.str(4, v).int(20, 3);
    else if (Array.isArray(v)) {
      for (const x of v) a.int(8, x);
      a.int(20, 7);
    } else a.float(2, v.float).int(20, 1);
    node.msg(5, a);
  }
  const graph = new Writer().msg(1, node).str(2, 'g');
  inputs.forEach((t, i) => {
    if (t && i > 0) graph.msg(5, tensorProto(`in${i}`, t));
  });
  graph.msg(11, valueInfo('in0', inputs[0]!.dtype, inputs[0]!.shape));
  graph.msg(12, valueInfo('out', output.dtype, output.shape));
  extraOutputs.forEach((o, i) => graph.msg(12, valueInfo(`out${i + 1}`, o.dtype, o.shape)));
  return new Writer().int(1, 9).msg(8, new Writer().str(1, '').int(2, opset)).msg(7, graph).finish();
}
