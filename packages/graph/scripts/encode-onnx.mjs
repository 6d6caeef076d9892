// A minimal ONNX ModelProto writer for the fixture generator: just the fields single-op and small test graphs need
// (nodes with attributes, raw-data initializers, typed inputs with symbolic dims). Field numbers are those of onnx.proto.
// @qint/onnx has the real encoder, but it sits above this package in the layering, so fixtures do not use it.

const DATA_TYPE = { float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10 };

class Writer {
  constructor() {
    this.bytes = [];
  }
  varint(v) {
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) b |= 0x80;
      this.bytes.push(b);
    } while (n !== 0n);
    return this;
  }
  tag(field, wire) {
    return this.varint((field << 3) | wire);
  }
  int(field, v) {
    return this.tag(field, 0).varint(v);
  }
  float(field, v) {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.tag(field, 5);
    this.bytes.push(...b);
    return this;
  }
  bytesField(field, data) {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  string(field, s) {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  message(field, writer) {
    return this.bytesField(field, writer.finish());
  }
  finish() {
    return Uint8Array.from(this.bytes);
  }
}

function tensorProto(name, t) {
  const w = new Writer();
  for (const d of t.shape) w.int(1, d);
  w.int(2, DATA_TYPE[t.dtype]);
  w.string(8, name);
  const d = t.data;
  w.bytesField(9, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  return w;
}

function attributeProto(name, a) {
  const w = new Writer().string(1, name);
  switch (a.type) {
    case 'float':
      return w.float(2, a.value).int(20, 1);
    case 'int':
      return w.int(3, a.value).int(20, 2);
    case 'string':
      return w.string(4, a.value).int(20, 3);
    case 'tensor':
      return w.message(5, tensorProto('', a.value)).int(20, 4);
    case 'floats':
      for (const v of a.value) w.float(7, v);
      return w.int(20, 6);
    case 'ints':
      for (const v of a.value) w.int(8, v);
      return w.int(20, 7);
    case 'strings':
      for (const v of a.value) w.string(9, v);
      return w.int(20, 8);
    default:
      throw new Error(`attribute type ${a.type} is not supported by the fixture encoder`);
  }
}

function valueInfoProto(vi) {
  const w = new Writer().string(1, vi.name);
  if (vi.dtype) {
    const tensor = new Writer().int(1, DATA_TYPE[vi.dtype]);
    if (vi.shape) {
      const shape = new Writer();
      for (const d of vi.shape) {
        const dim = new Writer();
        if (typeof d === 'number') dim.int(1, d);
        else if (typeof d === 'string') dim.string(2, d);
        shape.message(1, dim);
      }
      tensor.message(2, shape);
    }
    w.message(2, new Writer().message(1, tensor));
  }
  return w;
}

/** Encodes a qint IR `Model` (whose tensors are @qint/tensor `Tensor`s) as ONNX `ModelProto` bytes. */
export function encodeOnnx(model) {
  const g = new Writer();
  for (const n of model.graph.nodes) {
    const nw = new Writer();
    for (const i of n.inputs) nw.string(1, i);
    for (const o of n.outputs) nw.string(2, o);
    nw.string(3, n.name).string(4, n.opType);
    for (const [k, a] of Object.entries(n.attributes)) nw.message(5, attributeProto(k, a));
    if (n.domain) nw.string(7, n.domain);
    g.message(1, nw);
  }
  g.string(2, model.graph.name);
  for (const [name, t] of model.graph.initializers) g.message(5, tensorProto(name, t));
  for (const vi of model.graph.inputs) g.message(11, valueInfoProto(vi));
  for (const vi of model.graph.outputs) g.message(12, valueInfoProto(vi));
  const m = new Writer().int(1, model.irVersion);
  m.string(2, model.producerName).string(3, model.producerVersion);
  m.message(7, g);
  for (const [domain, version] of Object.entries(model.opsetImports)) {
    const op = new Writer();
    if (domain) op.string(1, domain);
    op.int(2, version);
    m.message(8, op);
  }
  return m.finish();
}
