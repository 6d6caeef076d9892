// Minimal ONNX ModelProto encoder for the benchmarks (bench-only code): just the fields needed to build one-op or
// few-op models with initializers, written with the protobuf wire format by hand so the benchmarks do not depend on
// the evolving @qint/onnx API. Field numbers are those of onnx/onnx.proto (IR version 8).

export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 };

class Writer {
  constructor() {
    this.parts = [];
    this.length = 0;
  }
  bytes(b) {
    this.parts.push(b);
    this.length += b.length;
  }
  varint(v) {
    // Non-negative values only (sizes, enums, dims); BigInt keeps int64 exact.
    let x = BigInt(v);
    const out = [];
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) byte |= 0x80;
      out.push(byte);
    } while (x > 0n);
    this.bytes(Uint8Array.from(out));
  }
  tag(field, wire) {
    this.varint((field << 3) | wire);
  }
  int(field, v) {
    this.tag(field, 0);
    this.varint(v);
  }
  float(field, v) {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes(b);
  }
  lengthDelimited(field, b) {
    this.tag(field, 2);
    this.varint(b.length);
    this.bytes(b);
  }
  string(field, s) {
    this.lengthDelimited(field, new TextEncoder().encode(s));
  }
  message(field, build) {
    const w = new Writer();
    build(w);
    this.lengthDelimited(field, w.finish());
  }
  finish() {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

function tensor(w, { name, dataType, dims, data }) {
  for (const d of dims) w.int(1, d);
  w.int(2, dataType);
  w.string(8, name);
  w.lengthDelimited(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function valueInfo(w, { name, elemType, shape }) {
  w.string(1, name);
  w.message(2, (t) =>
    t.message(1, (tt) => {
      tt.int(1, elemType);
      tt.message(2, (s) => {
        for (const d of shape) s.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

function attribute(w, name, value) {
  w.string(1, name);
  if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, 7); // INTS
  } else {
    w.int(3, value);
    w.int(20, 2); // INT
  }
}

/**
 * @param {{ nodes: { op: string, inputs: string[], outputs: string[], attrs?: Record<string, number|number[]> }[],
 *   initializers: { name: string, dataType: number, dims: number[], data: ArrayBufferView }[],
 *   inputs: { name: string, elemType: number, shape: (number|string)[] }[],
 *   outputs: { name: string, elemType: number, shape: (number|string)[] }[], opset?: number }} g
 * @returns {Uint8Array} the serialized ModelProto
 */
export function encodeModel(g) {
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, 'qint-bench');
  w.message(7, (gw) => {
    g.nodes.forEach((n, i) =>
      gw.message(1, (nw) => {
        for (const x of n.inputs) nw.string(1, x);
        for (const x of n.outputs) nw.string(2, x);
        nw.string(3, `n${i}`);
        nw.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs ?? {})) nw.message(5, (aw) => attribute(aw, k, v));
      }),
    );
    gw.string(2, 'bench');
    for (const t of g.initializers) gw.message(5, (tw) => tensor(tw, t));
    for (const v of g.inputs) gw.message(11, (vw) => valueInfo(vw, v));
    for (const v of g.outputs) gw.message(12, (vw) => valueInfo(vw, v));
  });
  w.message(8, (ow) => {
    ow.string(1, '');
    ow.int(2, g.opset ?? 13);
  });
  return w.finish();
}
