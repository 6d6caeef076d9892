var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// src/format-error.ts
import { QintError } from "@qint/tensor";
var FormatError = class extends QintError {
  /** Which validation rule failed. */
  reason;
  /** The header field or file part at fault. */
  field;
  /** Byte offset in the file (-1 when not applicable). */
  offset;
  /**
   * @param reason - which rule failed
   * @param message - what was wrong, and what was expected
   * @param options - `field`, `offset` and an optional `cause`
   */
  constructor(reason, message, options) {
    super("ERR_FORMAT", `${message} (${reason} at ${options.field}${options.offset >= 0 ? `, byte ${options.offset}` : ""})`, options);
    this.reason = reason;
    this.field = options.field;
    this.offset = options.offset;
  }
};

// src/internal/checksum.ts
import xxhash from "xxhash-wasm";
var api;
var ready;
var CHUNK = 1 << 20;
async function loadChecksum() {
  if (ready) return;
  api ??= xxhash();
  ready = await api;
}
function createChecksum() {
  if (!ready) throw new Error("checksum used before loadChecksum()");
  const h = ready.create64(0n);
  return {
    update(bytes) {
      for (let o = 0; o < bytes.length; o += CHUNK) h.update(bytes.subarray(o, Math.min(bytes.length, o + CHUNK)));
    },
    hex() {
      return h.digest().toString(16).padStart(16, "0");
    }
  };
}
function checksumHex(bytes) {
  const c = createChecksum();
  c.update(bytes);
  return c.hex();
}

// src/constants.ts
var QINT_MAGIC = Uint8Array.of(137, 81, 73, 78, 84, 13, 10, 26);
var QINT_FORMAT_MAJOR = 1;
var QINT_FORMAT_MINOR = 0;
var QINT_PREAMBLE_BYTES = 32;
var QINT_ALIGNMENT = 64;
var QINT_DEFAULT_MAX_HEADER_BYTES = 16 * 1024 * 1024;
var QINT_MAX_HEADER_BYTES_LIMIT = 256 * 1024 * 1024;

// src/internal/build-model.ts
import { dtypeInfo, isDType, QintError as QintError2, QuantParams } from "@qint/tensor";

// src/internal/shared.ts
var PRODUCER = Object.freeze({ name: "@qint/format", version: "0.1.0" });
var LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function assertLittleEndian() {
  if (!LITTLE_ENDIAN) {
    throw new FormatError("BAD_ARGUMENT", ".qint tensor data is little-endian and this host is big-endian, which @qint/format does not support", {
      field: "host",
      offset: -1
    });
  }
}
var SPECIAL = /* @__PURE__ */ new Map([
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
  ["-0", -0]
]);
function encodeNumber(v) {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "-0";
  return v;
}
function decodeNumber(v) {
  if (typeof v === "number") return v;
  if (typeof v === "string") return SPECIAL.get(v);
  return void 0;
}
var KNOWN_TOP_LEVEL = /* @__PURE__ */ new Set(["producer", "model", "graph", "tensors", "metadata"]);

// src/internal/build-model.ts
var ATTRIBUTE_TYPES = /* @__PURE__ */ new Set(["float", "int", "string", "tensor", "graph", "floats", "ints", "strings", "tensors"]);
function checkModel(h) {
  const refs = new Uint32Array(h.tensors.length);
  new Builder(h, refs, void 0).model();
  for (let i = 0; i < refs.length; i++) {
    if (refs[i] === 0) {
      h.ctx.fail("UNREFERENCED_TENSOR", `tensors[${i}] (${h.tensors[i].name}) is not used by the graph; a file holds no hidden data`, `tensors[${i}]`, h.tensorsJson, i);
    }
  }
}
function buildDocument(h, tensors) {
  const model = new Builder(h, void 0, tensors).model();
  return {
    model,
    metadata: h.metadata,
    extensions: h.extensions,
    version: { major: h.preamble.major, minor: h.preamble.minor },
    producer: h.producer
  };
}
var PLACEHOLDER = Object.freeze({});
var Builder = class {
  constructor(h, refs, tensors) {
    this.h = h;
    this.refs = refs;
    this.tensors = tensors;
    this.ctx = h.ctx;
  }
  h;
  refs;
  tensors;
  ctx;
  model() {
    const { ctx } = this;
    const m = this.h.modelJson;
    const opsetJson = ctx.obj(m, "opsetImports", "model.opsetImports");
    const opsetImports = {};
    for (const k of Object.keys(opsetJson)) define(opsetImports, k, ctx.int(opsetJson, k, `model.opsetImports.${k}`));
    const metaJson = ctx.obj(m, "metadata", "model.metadata");
    const metadata = {};
    for (const k of Object.keys(metaJson)) define(metadata, k, ctx.str(metaJson, k, `model.metadata.${k}`));
    const model = {
      irVersion: ctx.int(m, "irVersion", "model.irVersion"),
      opsetImports,
      producerName: ctx.str(m, "producerName", "model.producerName"),
      producerVersion: ctx.str(m, "producerVersion", "model.producerVersion"),
      metadata,
      graph: this.graph(this.h.graphJson, "graph", void 0)
    };
    const domain = ctx.str(m, "domain", "model.domain", true);
    if (domain !== void 0) model.domain = domain;
    const modelVersion = ctx.int(m, "modelVersion", "model.modelVersion", void 0, true);
    if (modelVersion !== void 0) model.modelVersion = modelVersion;
    const docString = ctx.str(m, "docString", "model.docString", true);
    if (docString !== void 0) model.docString = docString;
    return model;
  }
  ref(index, field, container, key, role) {
    const { ctx } = this;
    if (index >= this.h.tensors.length) {
      ctx.fail("DANGLING_REFERENCE", `${field} refers to tensors[${index}] but the table has ${this.h.tensors.length} entries`, field, container, key);
    }
    if (this.refs) {
      if (this.refs[index]++ > 0) {
        ctx.fail("DUPLICATE_REFERENCE", `${field} refers to tensors[${index}] (${this.h.tensors[index].name}), which is already used elsewhere`, field, container, key);
      }
      this.h.tensors[index].role = role;
      if (role !== "initializer" && this.h.tensors[index].quant) {
        ctx.fail("BAD_QUANT_PARAMS", `tensors[${index}] (${this.h.tensors[index].name}) has quant params but is not a graph initializer`, `tensors[${index}].quant`, this.h.tensorsJson[index], "quant");
      }
      return PLACEHOLDER;
    }
    return this.tensors[index];
  }
  graph(g, field, outer) {
    const { ctx } = this;
    const name = ctx.str(g, "name", `${field}.name`);
    const defined = new Scope(outer);
    const inputs = this.valueInfos(g, "inputs", field);
    for (const v of inputs) defined.add(v.name);
    const initJson = ctx.arr(g, "initializers", `${field}.initializers`);
    const initializers = /* @__PURE__ */ new Map();
    const initIndex = /* @__PURE__ */ new Map();
    initJson.forEach((_, i) => {
      const f = `${field}.initializers[${i}]`;
      const e = ctx.obj(initJson, i, f);
      const n = ctx.str(e, "name", `${f}.name`);
      if (initializers.has(n)) ctx.fail("BAD_FIELD", `${f}.name ${JSON.stringify(n)} repeats an earlier initializer`, `${f}.name`, e, "name");
      const index = ctx.int(e, "tensor", `${f}.tensor`, 0);
      initializers.set(n, this.ref(index, `${f}.tensor`, e, "tensor", "initializer"));
      initIndex.set(n, index);
      defined.add(n);
    });
    const nodesJson = ctx.arr(g, "nodes", `${field}.nodes`);
    const nodes = nodesJson.map((_, i) => this.node(ctx.obj(nodesJson, i, `${field}.nodes[${i}]`), `${field}.nodes[${i}]`, defined));
    const outputs = this.valueInfos(g, "outputs", field);
    const outputsJson = g.outputs;
    outputs.forEach((v, i) => {
      if (!defined.has(v.name)) {
        ctx.fail("DANGLING_REFERENCE", `${field}.outputs[${i}] ${JSON.stringify(v.name)} is produced by no node, input or initializer`, `${field}.outputs[${i}]`, outputsJson, i);
      }
    });
    const graph = {
      name,
      nodes,
      initializers,
      inputs,
      outputs,
      valueInfo: this.valueInfos(g, "valueInfo", field)
    };
    const qpJson = ctx.arr(g, "quantParams", `${field}.quantParams`, true);
    const listed = /* @__PURE__ */ new Set();
    if (qpJson) {
      const quantParams = /* @__PURE__ */ new Map();
      qpJson.forEach((_, i) => {
        const f = `${field}.quantParams[${i}]`;
        const n = ctx.str(qpJson, i, f);
        const index = initIndex.get(n);
        if (index === void 0) return ctx.fail("DANGLING_REFERENCE", `${f} ${JSON.stringify(n)} is not an initializer of this graph`, f, qpJson, i);
        if (listed.has(n)) ctx.fail("BAD_FIELD", `${f} ${JSON.stringify(n)} is listed twice`, f, qpJson, i);
        listed.add(n);
        const spec = this.h.tensors[index].quant;
        if (!spec) return ctx.fail("BAD_QUANT_PARAMS", `${f} ${JSON.stringify(n)} is listed but tensors[${index}] has no quant`, f, qpJson, i);
        quantParams.set(n, this.quant(spec, this.h.tensors[index]));
      });
      graph.quantParams = quantParams;
    }
    for (const [n, index] of initIndex) {
      if (this.h.tensors[index].quant && !listed.has(n)) {
        const t = this.h.tensors[index];
        ctx.fail("BAD_QUANT_PARAMS", `${t.field} (${t.name}) has quant params but ${field}.quantParams does not list ${JSON.stringify(n)}`, `${t.field}.quant`, this.h.tensorsJson[index], "quant");
      }
    }
    const docString = ctx.str(g, "docString", `${field}.docString`, true);
    if (docString !== void 0) graph.docString = docString;
    return graph;
  }
  valueInfos(g, key, field) {
    const { ctx } = this;
    const list = ctx.arr(g, key, `${field}.${key}`);
    return list.map((_, i) => {
      const f = `${field}.${key}[${i}]`;
      const v = ctx.obj(list, i, f);
      const out = { name: ctx.str(v, "name", `${f}.name`) };
      const dtype = v.dtype;
      if (dtype !== void 0) {
        if (!isDType(dtype)) return ctx.fail("BAD_DTYPE", `${f}.dtype is not a qint dtype: ${JSON.stringify(dtype)}`, `${f}.dtype`, v, "dtype");
        out.dtype = dtype;
      }
      const shape = ctx.arr(v, "shape", `${f}.shape`, true);
      if (shape) {
        out.shape = shape.map((d, k) => {
          if (d === null) return void 0;
          if (typeof d === "string") return d;
          if (typeof d === "number" && Number.isSafeInteger(d)) return d;
          return ctx.fail("BAD_SHAPE", `${f}.shape[${k}] must be an integer, a symbolic name or null, got ${JSON.stringify(d)}`, `${f}.shape[${k}]`, shape, k);
        });
      }
      const doc = ctx.str(v, "docString", `${f}.docString`, true);
      if (doc !== void 0) out.docString = doc;
      return out;
    });
  }
  strings(parent, key, field) {
    const list = this.ctx.arr(parent, key, `${field}.${key}`);
    return list.map((_, i) => this.ctx.str(list, i, `${field}.${key}[${i}]`));
  }
  node(n, field, defined) {
    const { ctx } = this;
    const inputs = this.strings(n, "inputs", field);
    const inputsJson = n.inputs;
    inputs.forEach((name, i) => {
      if (name !== "" && !defined.has(name)) {
        ctx.fail("DANGLING_REFERENCE", `${field}.inputs[${i}] ${JSON.stringify(name)} is not a graph input, an initializer or an output of an earlier node`, `${field}.inputs[${i}]`, inputsJson, i);
      }
    });
    const attrJson = ctx.obj(n, "attributes", `${field}.attributes`);
    const attributes = {};
    for (const key of Object.keys(attrJson)) define(attributes, key, this.attribute(attrJson, key, `${field}.attributes.${key}`, defined));
    const outputs = this.strings(n, "outputs", field);
    const node = {
      name: ctx.str(n, "name", `${field}.name`),
      opType: ctx.str(n, "opType", `${field}.opType`),
      domain: ctx.str(n, "domain", `${field}.domain`),
      inputs,
      outputs,
      attributes
    };
    for (const o of outputs) if (o !== "") defined.add(o);
    const doc = ctx.str(n, "docString", `${field}.docString`, true);
    if (doc !== void 0) node.docString = doc;
    return node;
  }
  number(parent, key, field) {
    const v = decodeNumber(parent[key]);
    if (v === void 0) this.ctx.fail("BAD_FIELD", `${field} must be a number or one of "NaN", "Infinity", "-Infinity", "-0"`, field, parent, key);
    return v;
  }
  attribute(parent, key, field, defined) {
    const { ctx } = this;
    const a = ctx.obj(parent, key, field);
    const type = a.type;
    if (typeof type !== "string" || !ATTRIBUTE_TYPES.has(type)) {
      ctx.fail("BAD_FIELD", `${field}.type must be one of ${[...ATTRIBUTE_TYPES].join(", ")}, got ${JSON.stringify(type)}`, `${field}.type`, a, "type");
    }
    const f = `${field}.value`;
    switch (type) {
      case "float":
      case "int":
        return { type, value: this.number(a, "value", f) };
      case "floats":
      case "ints": {
        const list = ctx.arr(a, "value", f);
        return { type, value: list.map((_, i) => this.number(list, i, `${f}[${i}]`)) };
      }
      case "string":
        return { type, value: ctx.str(a, "value", f) };
      case "strings":
        return { type, value: this.strings(a, "value", field) };
      case "tensor":
        return { type, value: this.ref(ctx.int(a, "value", f, 0), f, a, "value", "attribute") };
      case "tensors": {
        const list = ctx.arr(a, "value", f);
        return { type, value: list.map((_, i) => this.ref(ctx.int(list, i, `${f}[${i}]`, 0), `${f}[${i}]`, list, i, "attribute")) };
      }
      default:
        return { type: "graph", value: this.graph(ctx.obj(a, "value", f), f, defined) };
    }
  }
  quant(spec, t) {
    const { ctx } = this;
    const side = (key) => {
      const v = spec[key];
      if (typeof v !== "number") return v;
      const role = key === "scale" ? "scale" : "zero-point";
      const dtype = key === "scale" ? "float32" : "int32";
      const f = `${spec.field}.${key}.tensor`;
      const tensor = this.ref(v, f, this.h.tensorsJson[t.index], "quant", role);
      const target = this.h.tensors[v];
      if (target.dtype !== dtype || target.shape.length !== 1 || target.shape[0] !== spec.count) {
        ctx.fail("BAD_QUANT_PARAMS", `${f} must refer to a ${dtype}[${spec.count}] tensor, but tensors[${v}] is ${target.dtype}[${target.shape.join(",")}]`, f, this.h.tensorsJson[t.index], "quant");
      }
      return this.tensors ? tensor.data : void 0;
    };
    const scale = side("scale");
    const zeroPoint = side("zeroPoint");
    if (!scale || !zeroPoint) return PLACEHOLDER;
    const at = (key, i) => {
      const v = spec[key];
      if (typeof v === "number") return this.h.preamble.dataOffset + this.h.tensors[v].offset + 4 * i;
      return spec.offset();
    };
    try {
      const qp = spec.granularity === "per-tensor" ? QuantParams.perTensor(spec.dtype, scale[0], zeroPoint[0]) : spec.granularity === "per-axis" ? QuantParams.perAxis(spec.dtype, spec.axis, scale, zeroPoint) : QuantParams.blocked(spec.dtype, spec.axis, spec.blockSize, scale, zeroPoint);
      qp.validateFor(t.shape);
      return qp;
    } catch (e) {
      if (!(e instanceof QintError2)) throw e;
      const { min, max } = dtypeInfo(spec.dtype);
      for (let i = 0; i < scale.length; i++) {
        const s = Math.fround(scale[i]);
        if (!Number.isFinite(s) || s <= 0) badQuant(`${spec.field}.scale[${i}] must be finite and > 0 as a float32, got ${scale[i]}`, `${spec.field}.scale[${i}]`, at("scale", i), e);
      }
      for (let i = 0; i < zeroPoint.length; i++) {
        const z = zeroPoint[i];
        if (!Number.isInteger(z) || z < min || z > max) {
          badQuant(`${spec.field}.zeroPoint[${i}] = ${z} is not an integer in [${min}, ${max}] of ${spec.dtype}`, `${spec.field}.zeroPoint[${i}]`, at("zeroPoint", i), e);
        }
      }
      return badQuant(`${spec.field} is inconsistent: ${e.message}`, spec.field, spec.offset(), e);
    }
  }
};
var Scope = class {
  constructor(parent) {
    this.parent = parent;
  }
  parent;
  names = /* @__PURE__ */ new Set();
  add(name) {
    this.names.add(name);
  }
  has(name) {
    for (let s = this; s; s = s.parent) if (s.names.has(name)) return true;
    return false;
  }
};
function badQuant(message, field, offset, cause) {
  throw new FormatError("BAD_QUANT_PARAMS", message, { field, offset, cause });
}
function define(o, key, value) {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

// src/internal/plan-write.ts
import { byteLengthOf, isDType as isDType2 } from "@qint/tensor";

// src/internal/utf8.ts
var decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function decodeUtf8(bytes) {
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    return { badIndex: firstInvalidUtf8(bytes) };
  }
}
function firstInvalidUtf8(b) {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 128) {
      i++;
      continue;
    }
    let need;
    let lo = 128;
    let hi = 191;
    if (c >= 194 && c <= 223) need = 1;
    else if (c >= 224 && c <= 239) {
      need = 2;
      if (c === 224) lo = 160;
      if (c === 237) hi = 159;
    } else if (c >= 240 && c <= 244) {
      need = 3;
      if (c === 240) lo = 144;
      if (c === 244) hi = 143;
    } else return i;
    if (i + need >= b.length) return i;
    if (b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k <= need; k++) if (b[i + k] < 128 || b[i + k] > 191) return i;
    i += need + 1;
  }
  return b.length;
}
function utf8Length(text, index) {
  let bytes = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) bytes += 1;
    else if (c < 2048) bytes += 2;
    else if (c >= 55296 && c <= 56319 && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
var encoder = new TextEncoder();
function encodeUtf8(text) {
  return encoder.encode(text);
}

// src/internal/plan-write.ts
var align = (n) => Math.ceil(n / QINT_ALIGNMENT) * QINT_ALIGNMENT;
function bad(reason, message, field) {
  throw new FormatError(reason, message, { field, offset: -1 });
}
function bytesOf(data) {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
function planWrite(model, options = {}) {
  assertLittleEndian();
  if (model === null || typeof model !== "object" || !model.graph) bad("BAD_ARGUMENT", "model must be a qint Model with a graph", "model");
  const maxHeader = options.maxHeaderBytes ?? QINT_DEFAULT_MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(maxHeader) || maxHeader < 2 || maxHeader > QINT_MAX_HEADER_BYTES_LIMIT) {
    bad("BAD_ARGUMENT", `maxHeaderBytes must be an integer in [2, ${QINT_MAX_HEADER_BYTES_LIMIT}], got ${String(maxHeader)}`, "options.maxHeaderBytes");
  }
  const inlineLimit = options.inlineQuantLimit ?? 64;
  const entries = [];
  const tensors = [];
  const addRaw = (name, dtype, shape, bytes) => {
    const entry = { name, dtype, shape: shape.slice(), offset: 0, length: bytes.byteLength, checksum: checksumHex(bytes) };
    entries.push(entry);
    tensors.push({ name, bytes });
    return entry;
  };
  const addTensor = (name, t, field) => {
    if (t === null || typeof t !== "object" || !isDType2(t.dtype) || !ArrayBuffer.isView(t.data) || !Array.isArray(t.shape)) {
      bad("BAD_ARGUMENT", `${field} must be a Tensor`, field);
    }
    let size = 1;
    for (const d of t.shape) size *= d;
    const expected = byteLengthOf(t.dtype, size);
    if (t.data.byteLength !== expected) {
      bad("BAD_SHAPE", `${field} (${name}) holds ${t.data.byteLength} bytes but ${t.dtype}[${t.shape.join(",")}] needs ${expected}`, field);
    }
    const index = entries.length;
    return { index, entry: addRaw(name, t.dtype, t.shape, bytesOf(t.data)) };
  };
  const encodeQuant = (qp, name) => {
    const q = { granularity: qp.granularity, dtype: qp.dtype };
    if (qp.granularity !== "per-tensor") q.axis = qp.axis;
    if (qp.granularity === "blocked") q.blockSize = qp.blockSize;
    if (qp.scale.length <= inlineLimit) {
      q.scale = Array.from(qp.scale);
      q.zeroPoint = Array.from(qp.zeroPoint);
    } else {
      q.scale = { tensor: entries.length };
      addRaw(`${name}::scale`, "float32", [qp.scale.length], bytesOf(qp.scale));
      q.zeroPoint = { tensor: entries.length };
      addRaw(`${name}::zero_point`, "int32", [qp.zeroPoint.length], bytesOf(qp.zeroPoint));
    }
    return q;
  };
  const encodeValueInfo = (v) => {
    const o = { name: v.name };
    if (v.dtype !== void 0) o.dtype = v.dtype;
    if (v.shape !== void 0) o.shape = v.shape.map((d) => d === void 0 ? null : d);
    if (v.docString !== void 0) o.docString = v.docString;
    return o;
  };
  const encodeAttribute = (a, scope, field) => {
    switch (a.type) {
      case "float":
      case "int":
        return { type: a.type, value: encodeNumber(a.value) };
      case "floats":
      case "ints":
        return { type: a.type, value: a.value.map(encodeNumber) };
      case "string":
      case "strings":
        return { type: a.type, value: a.type === "string" ? a.value : a.value.slice() };
      case "tensor":
        return { type: "tensor", value: addTensor(scope, a.value, field).index };
      case "tensors":
        return { type: "tensors", value: a.value.map((t, i) => addTensor(`${scope}[${i}]`, t, `${field}[${i}]`).index) };
      case "graph":
        return { type: "graph", value: encodeGraph(a.value, `${scope}/`, `${field}.value`) };
      default:
        return bad("BAD_FIELD", `${field} has unknown attribute type ${JSON.stringify(a.type)}`, field);
    }
  };
  const encodeNode = (node, scope, field) => {
    const attributes = {};
    const nodeScope = `${scope}${node.name || `#${field}`}`;
    for (const [key, a] of Object.entries(node.attributes)) {
      Object.defineProperty(attributes, key, {
        value: encodeAttribute(a, `${nodeScope}.${key}`, `${field}.attributes.${key}`),
        enumerable: true,
        writable: true,
        configurable: true
      });
    }
    const o = {
      name: node.name,
      opType: node.opType,
      domain: node.domain,
      inputs: node.inputs.slice(),
      outputs: node.outputs.slice(),
      attributes
    };
    if (node.docString !== void 0) o.docString = node.docString;
    return o;
  };
  const encodeGraph = (g, scope, field) => {
    const initializers = [];
    for (const [name, t] of g.initializers) {
      const { index, entry } = addTensor(scope + name, t, `${field}.initializers[${initializers.length}]`);
      const qp = g.quantParams?.get(name);
      if (qp) entry.quant = encodeQuant(qp, scope + name);
      initializers.push({ name, tensor: index });
    }
    const o = {
      name: g.name,
      nodes: g.nodes.map((n, i) => encodeNode(n, scope, `${field}.nodes[${i}]`)),
      initializers,
      inputs: g.inputs.map(encodeValueInfo),
      outputs: g.outputs.map(encodeValueInfo),
      valueInfo: g.valueInfo.map(encodeValueInfo)
    };
    if (g.quantParams !== void 0) {
      for (const name of g.quantParams.keys()) {
        if (!g.initializers.has(name)) {
          bad("DANGLING_REFERENCE", `${field}.quantParams names ${JSON.stringify(name)}, which is not an initializer`, `${field}.quantParams`);
        }
      }
      o.quantParams = [...g.quantParams.keys()];
    }
    if (g.docString !== void 0) o.docString = g.docString;
    return o;
  };
  const modelJson = {
    irVersion: model.irVersion,
    opsetImports: { ...model.opsetImports },
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    metadata: { ...model.metadata }
  };
  if (model.domain !== void 0) modelJson.domain = model.domain;
  if (model.modelVersion !== void 0) modelJson.modelVersion = model.modelVersion;
  if (model.docString !== void 0) modelJson.docString = model.docString;
  const graphJson = encodeGraph(model.graph, "", "graph");
  let cursor = 0;
  const planned = tensors.map((t, i) => {
    const offset = cursor;
    entries[i].offset = offset;
    cursor = align(offset + t.bytes.byteLength);
    return { name: t.name, bytes: t.bytes, offset };
  });
  const dataLength = cursor;
  const header = {};
  for (const [k, v] of Object.entries(options.extensions ?? {})) {
    if (!KNOWN_TOP_LEVEL.has(k)) Object.defineProperty(header, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  header.producer = { ...PRODUCER };
  header.model = modelJson;
  header.graph = graphJson;
  header.tensors = entries;
  const metadata = options.metadata ?? {};
  if (Object.keys(metadata).length > 0) header.metadata = stripUndefined(metadata);
  const json = encodeUtf8(JSON.stringify(header));
  if (json.byteLength > maxHeader) {
    bad("HEADER_TOO_LARGE", `the JSON header would be ${json.byteLength} bytes, above the cap of ${maxHeader}`, "header");
  }
  const dataOffset = align(QINT_PREAMBLE_BYTES + json.byteLength);
  const head = new Uint8Array(dataOffset);
  head.set(QINT_MAGIC, 0);
  const view = new DataView(head.buffer);
  view.setUint16(8, QINT_FORMAT_MAJOR, true);
  view.setUint16(10, QINT_FORMAT_MINOR, true);
  view.setUint32(12, json.byteLength, true);
  view.setUint32(24, dataLength % 2 ** 32, true);
  view.setUint32(28, Math.floor(dataLength / 2 ** 32), true);
  head.set(json, QINT_PREAMBLE_BYTES);
  const h = createChecksum();
  h.update(head.subarray(0, 16));
  h.update(head.subarray(24, QINT_PREAMBLE_BYTES + json.byteLength));
  view.setBigUint64(16, BigInt(`0x${h.hex()}`), true);
  return { head, tensors: planned, dataLength, dataOffset, totalLength: dataOffset + dataLength };
}
function stripUndefined(o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== void 0) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// src/internal/read-header.ts
import { dtypeInfo as dtypeInfo2, isDType as isDType3, isQuantDType } from "@qint/tensor";

// src/internal/strict-json.ts
var JsonSyntaxError = class {
  constructor(message, index, duplicateKey = false) {
    this.message = message;
    this.index = index;
    this.duplicateKey = duplicateKey;
  }
  message;
  index;
  duplicateKey;
};
var MAX_JSON_DEPTH = 160;
function parseStrictJson(text, maxDepth = MAX_JSON_DEPTH, withPositions = false) {
  const positions = /* @__PURE__ */ new WeakMap();
  let i = 0;
  const n = text.length;
  const fail2 = (message, at = i) => {
    throw new JsonSyntaxError(message, Math.min(at, n));
  };
  const skipWs = () => {
    for (; ; ) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else return;
    }
  };
  const describe = (at) => at >= n ? "end of header" : JSON.stringify(text[at]);
  const parseString = () => {
    const start = i;
    i++;
    let out = "";
    let runStart = i;
    for (; ; ) {
      if (i >= n) fail2("unterminated string", start);
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(runStart, i);
        i++;
        return out;
      }
      if (c < 32) fail2(`control character U+${c.toString(16).padStart(4, "0")} inside a string`);
      if (c >= 55296 && c <= 57343) {
        const d = text.charCodeAt(i + 1);
        if (c <= 56319 && d >= 56320 && d <= 57343) {
          i += 2;
          continue;
        }
        fail2("lone surrogate inside a string");
      }
      if (c !== 92) {
        i++;
        continue;
      }
      out += text.slice(runStart, i);
      const e = text.charCodeAt(i + 1);
      switch (e) {
        case 34:
          out += '"';
          i += 2;
          break;
        case 92:
          out += "\\";
          i += 2;
          break;
        case 47:
          out += "/";
          i += 2;
          break;
        case 98:
          out += "\b";
          i += 2;
          break;
        case 102:
          out += "\f";
          i += 2;
          break;
        case 110:
          out += "\n";
          i += 2;
          break;
        case 114:
          out += "\r";
          i += 2;
          break;
        case 116:
          out += "	";
          i += 2;
          break;
        case 117: {
          const hi = readHex4(i + 2);
          i += 6;
          if (hi >= 55296 && hi <= 56319) {
            if (text.charCodeAt(i) !== 92 || text.charCodeAt(i + 1) !== 117) fail2("lone high surrogate escape", i - 6);
            const lo = readHex4(i + 2);
            if (lo < 56320 || lo > 57343) fail2("high surrogate escape not followed by a low surrogate", i);
            i += 6;
            out += String.fromCharCode(hi, lo);
          } else if (hi >= 56320 && hi <= 57343) {
            fail2("lone low surrogate escape", i - 6);
          } else {
            out += String.fromCharCode(hi);
          }
          break;
        }
        default:
          fail2(`invalid escape \\${i + 1 < n ? text[i + 1] : ""}`);
      }
      runStart = i;
    }
  };
  const readHex4 = (at) => {
    if (at + 4 > n) fail2("truncated \\u escape", at);
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(at + k);
      let d;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else return fail2("invalid hex digit in \\u escape", at + k);
      v = v * 16 + d;
    }
    return v;
  };
  const parseNumber = () => {
    const start = i;
    if (text.charCodeAt(i) === 45) i++;
    const digitsFrom = i;
    if (text.charCodeAt(i) === 48) i++;
    else {
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    }
    if (i === digitsFrom) fail2("invalid number", start);
    if (text.charCodeAt(i) === 46) {
      i++;
      const f = i;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      if (i === f) fail2("invalid number: no digits after the decimal point", start);
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 43 || s === 45) i++;
      const f = i;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      if (i === f) fail2("invalid number: no exponent digits", start);
    }
    if (i - start > 400) fail2("number literal longer than 400 characters", start);
    const v = Number(text.slice(start, i));
    if (!Number.isFinite(v)) fail2("number out of the float64 range", start);
    return v;
  };
  const parseValue = (depth) => {
    skipWs();
    if (i >= n) fail2("unexpected end of header, expected a value");
    const c = text.charCodeAt(i);
    if (c === 123) return parseObject(depth + 1);
    if (c === 91) return parseArray(depth + 1);
    if (c === 34) return parseString();
    if (c === 45 || c >= 48 && c <= 57) return parseNumber();
    if (text.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return null;
    }
    return fail2(`unexpected ${describe(i)}, expected a value`);
  };
  const parseObject = (depth) => {
    if (depth > maxDepth) fail2(`nesting deeper than ${maxDepth} levels`);
    i++;
    const obj = {};
    const pos = withPositions ? /* @__PURE__ */ new Map() : void 0;
    if (pos) positions.set(obj, pos);
    skipWs();
    if (text.charCodeAt(i) === 125) {
      i++;
      return obj;
    }
    for (; ; ) {
      skipWs();
      if (text.charCodeAt(i) !== 34) fail2(`unexpected ${describe(i)}, expected a string key`);
      const keyAt = i;
      const key = parseString();
      if (Object.prototype.hasOwnProperty.call(obj, key)) throw new JsonSyntaxError(`duplicate key ${JSON.stringify(key)}`, keyAt, true);
      skipWs();
      if (text.charCodeAt(i) !== 58) fail2(`unexpected ${describe(i)}, expected ':'`);
      i++;
      skipWs();
      pos?.set(key, i);
      const v = parseValue(depth);
      if (key === "__proto__") Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      else obj[key] = v;
      skipWs();
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 125) {
        i++;
        return obj;
      }
      fail2(`unexpected ${describe(i)}, expected ',' or '}'`);
    }
  };
  const parseArray = (depth) => {
    if (depth > maxDepth) fail2(`nesting deeper than ${maxDepth} levels`);
    i++;
    const arr = [];
    const pos = withPositions ? /* @__PURE__ */ new Map() : void 0;
    if (pos) positions.set(arr, pos);
    skipWs();
    if (text.charCodeAt(i) === 93) {
      i++;
      return arr;
    }
    for (; ; ) {
      skipWs();
      pos?.set(arr.length, i);
      arr.push(parseValue(depth));
      skipWs();
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 93) {
        i++;
        return arr;
      }
      fail2(`unexpected ${describe(i)}, expected ',' or ']'`);
    }
  };
  const value = parseValue(0);
  skipWs();
  if (i < n) fail2(`unexpected ${describe(i)} after the JSON value`);
  return { value, positions };
}
function locate(text, root, container, key) {
  const path = [];
  const find = (v2) => {
    if (v2 === container) return true;
    if (v2 === null || typeof v2 !== "object") return false;
    for (const k of Array.isArray(v2) ? v2.keys() : Object.keys(v2)) {
      path.push(k);
      if (find(v2[k])) return true;
      path.pop();
    }
    return false;
  };
  if (!find(root)) return void 0;
  const slow = parseStrictJson(text, MAX_JSON_DEPTH, true);
  let v = slow.value;
  for (const k of path) v = v[k];
  return slow.positions.get(v)?.get(key);
}

// src/internal/read-header.ts
var MAX_RANK = 64;
function fail(reason, message, field, offset) {
  throw new FormatError(reason, message, { field, offset });
}
function headerCap(options) {
  const cap = options.maxHeaderBytes ?? QINT_DEFAULT_MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(cap) || cap < 2 || cap > QINT_MAX_HEADER_BYTES_LIMIT) {
    fail("BAD_ARGUMENT", `maxHeaderBytes must be an integer in [2, ${QINT_MAX_HEADER_BYTES_LIMIT}], got ${String(cap)}`, "options.maxHeaderBytes", -1);
  }
  return cap;
}
function parsePreamble(head, fileLength, maxHeader) {
  for (let i = 0; i < QINT_MAGIC.length; i++) {
    if (i >= head.length) fail("TRUNCATED", `the file ends after ${fileLength} bytes, inside the 8-byte magic`, "preamble.magic", fileLength);
    if (head[i] !== QINT_MAGIC[i]) {
      fail("BAD_MAGIC", `not a .qint file: byte ${i} is 0x${head[i].toString(16).padStart(2, "0")}, expected 0x${QINT_MAGIC[i].toString(16)} of the magic \\x89QINT\\r\\n\\x1a`, "preamble.magic", i);
    }
  }
  if (head.length < QINT_PREAMBLE_BYTES) {
    fail("TRUNCATED", `the file ends after ${fileLength} bytes, inside the ${QINT_PREAMBLE_BYTES}-byte preamble`, "preamble", fileLength);
  }
  const view = new DataView(head.buffer, head.byteOffset, QINT_PREAMBLE_BYTES);
  const major = view.getUint16(8, true);
  const minor = view.getUint16(10, true);
  if (major !== QINT_FORMAT_MAJOR) {
    fail(
      "UNSUPPORTED_VERSION",
      major > QINT_FORMAT_MAJOR ? `the file is .qint format ${major}.${minor}, which needs a reader of format ${major}.x; this reader (${PRODUCER.name} ${PRODUCER.version}) reads format ${QINT_FORMAT_MAJOR}.x: upgrade ${PRODUCER.name}` : `the file claims .qint format ${major}.${minor}, which was never released; this reader reads format ${QINT_FORMAT_MAJOR}.x`,
      "preamble.version",
      8
    );
  }
  const headerLength = view.getUint32(12, true);
  if (headerLength > maxHeader) {
    fail("HEADER_TOO_LARGE", `the JSON header claims ${headerLength} bytes, above the cap of ${maxHeader} (raise maxHeaderBytes if the file is trusted)`, "preamble.headerLength", 12);
  }
  if (headerLength < 2) fail("BAD_JSON", `the JSON header claims ${headerLength} bytes; the smallest header, {}, has 2`, "preamble.headerLength", 12);
  if (headerLength > fileLength - QINT_PREAMBLE_BYTES) {
    fail("TRUNCATED", `the JSON header claims ${headerLength} bytes but the file has only ${fileLength - QINT_PREAMBLE_BYTES} after the preamble`, "preamble.headerLength", 12);
  }
  const lo = view.getUint32(24, true);
  const hi = view.getUint32(28, true);
  if (hi >= 2 ** 21) fail("RANGE_OUT_OF_BOUNDS", `the data section length ${hi} * 2^32 + ${lo} exceeds 2^53 - 1`, "preamble.dataLength", 24);
  const dataLength = hi * 2 ** 32 + lo;
  const dataOffset = Math.ceil((QINT_PREAMBLE_BYTES + headerLength) / QINT_ALIGNMENT) * QINT_ALIGNMENT;
  if (dataOffset > fileLength || dataLength > fileLength - dataOffset) {
    fail("TRUNCATED", `the file has ${fileLength} bytes but its data section claims bytes ${dataOffset} to ${dataOffset + dataLength}`, "preamble.dataLength", 24);
  }
  if (dataLength < fileLength - dataOffset) {
    fail("TRAILING_BYTES", `the file has ${fileLength - dataOffset - dataLength} bytes after the end of its data section`, "preamble.dataLength", 24);
  }
  return { major, minor, headerLength, dataOffset, dataLength, fileLength };
}
var HeaderContext = class {
  constructor(text, root) {
    this.text = text;
    this.root = root;
  }
  text;
  root;
  /** File offset where `container[key]` starts (or the header start when unknown). Only computed for errors. */
  at(container, key) {
    const idx = container && key !== void 0 ? locate(this.text, this.root, container, key) : void 0;
    return QINT_PREAMBLE_BYTES + (idx === void 0 ? 0 : utf8Length(this.text, idx));
  }
  fail(reason, message, field, container, key) {
    return fail(reason, message, field, this.at(container, key));
  }
  obj(parent, key, field, optional = false) {
    const v = parent[key];
    if (v === void 0 && optional) return void 0;
    if (v === null || typeof v !== "object" || Array.isArray(v)) this.fail("BAD_FIELD", `${field} must be an object, got ${kind(v)}`, field, parent, key);
    return v;
  }
  arr(parent, key, field, optional = false) {
    const v = parent[key];
    if (v === void 0 && optional) return void 0;
    if (!Array.isArray(v)) this.fail("BAD_FIELD", `${field} must be an array, got ${kind(v)}`, field, parent, key);
    return v;
  }
  str(parent, key, field, optional = false) {
    const v = parent[key];
    if (v === void 0 && optional) return void 0;
    if (typeof v !== "string") this.fail("BAD_FIELD", `${field} must be a string, got ${kind(v)}`, field, parent, key);
    return v;
  }
  int(parent, key, field, min = -Number.MAX_SAFE_INTEGER, optional = false) {
    const v = parent[key];
    if (v === void 0 && optional) return void 0;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
      this.fail("BAD_FIELD", `${field} must be an integer >= ${min}, got ${kind(v)}`, field, parent, key);
    }
    return v;
  }
};
function kind(v) {
  if (v === void 0) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === "number") return `the number ${v}`;
  return `a ${typeof v}`;
}
var GRANULARITIES = /* @__PURE__ */ new Set(["per-tensor", "per-axis", "blocked"]);
var CHECKSUM_RE = /^[0-9a-f]{16}$/;
function parseHeader(preambleBytes, headerBytes, preamble, verifyChecksums) {
  if (verifyChecksums) {
    const h = createChecksum();
    h.update(preambleBytes.subarray(0, 16));
    h.update(preambleBytes.subarray(24, QINT_PREAMBLE_BYTES));
    h.update(headerBytes);
    const expected = new DataView(preambleBytes.buffer, preambleBytes.byteOffset + 16, 8).getBigUint64(0, true).toString(16).padStart(16, "0");
    const actual = h.hex();
    if (actual !== expected) {
      fail("CHECKSUM_MISMATCH", `the header's xxHash64 is ${actual} but the preamble records ${expected}: the preamble or header is corrupt`, "header", QINT_PREAMBLE_BYTES);
    }
  }
  const decoded = decodeUtf8(headerBytes);
  if ("badIndex" in decoded) {
    fail("BAD_UTF8", "the JSON header is not valid UTF-8", "header", QINT_PREAMBLE_BYTES + decoded.badIndex);
  }
  const text = decoded.text;
  let parsed;
  try {
    parsed = parseStrictJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      fail(e.duplicateKey ? "DUPLICATE_KEY" : "BAD_JSON", `the JSON header is invalid: ${e.message}`, "header", QINT_PREAMBLE_BYTES + utf8Length(text, e.index));
    }
    throw e;
  }
  const ctx = new HeaderContext(text, parsed.value);
  const value = parsed.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    ctx.fail("BAD_FIELD", `the header must be a JSON object, got ${kind(value)}`, "header");
  }
  const root = value;
  const producerJson = ctx.obj(root, "producer", "producer");
  const producer = { name: ctx.str(producerJson, "name", "producer.name"), version: ctx.str(producerJson, "version", "producer.version") };
  const modelJson = ctx.obj(root, "model", "model");
  const graphJson = ctx.obj(root, "graph", "graph");
  const metadata = parseMetadata(ctx, root);
  const extensions = {};
  for (const key of Object.keys(root)) {
    if (!KNOWN_TOP_LEVEL.has(key)) Object.defineProperty(extensions, key, { value: root[key], enumerable: true, writable: true, configurable: true });
  }
  const tensors = parseTensorTable(ctx, root, preamble);
  const tensorsJson = root.tensors;
  return { preamble, tensors, tensorsJson, modelJson, graphJson, producer, metadata, extensions, ctx };
}
function parseMetadata(ctx, root) {
  const m = ctx.obj(root, "metadata", "metadata", true);
  const out = {};
  if (!m) return out;
  for (const key of Object.keys(m)) {
    if (key === "user") {
      const user = ctx.obj(m, "user", "metadata.user");
      const u = {};
      for (const k of Object.keys(user)) {
        Object.defineProperty(u, k, { value: ctx.str(user, k, `metadata.user.${k}`), enumerable: true, writable: true, configurable: true });
      }
      out.user = u;
    } else {
      Object.defineProperty(out, key, { value: m[key], enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}
function parseTensorTable(ctx, root, preamble) {
  const list = ctx.arr(root, "tensors", "tensors");
  const entries = [];
  for (let index = 0; index < list.length; index++) {
    const field = `tensors[${index}]`;
    const e = ctx.obj(list, index, field);
    const name = ctx.str(e, "name", `${field}.name`);
    const dtype = e.dtype;
    if (!isDType3(dtype)) ctx.fail("BAD_DTYPE", `${field} (${name}) has unknown dtype ${kind(dtype)}`, `${field}.dtype`, e, "dtype");
    const shapeJson = ctx.arr(e, "shape", `${field}.shape`);
    if (shapeJson.length > MAX_RANK) ctx.fail("BAD_SHAPE", `${field} (${name}) has rank ${shapeJson.length}, above ${MAX_RANK}`, `${field}.shape`, e, "shape");
    const shape = [];
    let size = 1;
    for (let d = 0; d < shapeJson.length; d++) {
      const dim = shapeJson[d];
      if (typeof dim !== "number" || !Number.isSafeInteger(dim) || dim < 0) {
        ctx.fail("BAD_SHAPE", `${field} (${name}) shape[${d}] must be a non-negative integer, got ${kind(dim)}`, `${field}.shape[${d}]`, shapeJson, d);
      }
      shape.push(dim);
    }
    if (shape.includes(0)) size = 0;
    else {
      for (const dim of shape) {
        if (size > Number.MAX_SAFE_INTEGER / dim) {
          ctx.fail("BAD_SHAPE", `${field} (${name}) shape [${shape.join(",")}] has more than 2^53 - 1 elements`, `${field}.shape`, e, "shape");
        }
        size *= dim;
      }
    }
    const offset = ctx.int(e, "offset", `${field}.offset`, 0);
    const length = ctx.int(e, "length", `${field}.length`, 0);
    const { bits, elementsPerByte } = dtypeInfo2(dtype);
    if (bits >= 8 && size > Number.MAX_SAFE_INTEGER / (bits / 8)) {
      ctx.fail("BAD_SHAPE", `${field} (${name}) shape [${shape.join(",")}] of ${dtype} needs more than 2^53 - 1 bytes`, `${field}.shape`, e, "shape");
    }
    const expected = bits >= 8 ? size * (bits / 8) : Math.ceil(size / elementsPerByte);
    if (length !== expected) {
      ctx.fail("BAD_SHAPE", `${field} (${name}) has length ${length} but ${dtype}[${shape.join(",")}] needs ${expected} bytes`, `${field}.length`, e, "length");
    }
    if (offset > preamble.dataLength || length > preamble.dataLength - offset) {
      ctx.fail("RANGE_OUT_OF_BOUNDS", `${field} (${name}) bytes ${offset}..${offset + length} lie outside the ${preamble.dataLength}-byte data section`, `${field}.offset`, e, "offset");
    }
    const checksum = ctx.str(e, "checksum", `${field}.checksum`);
    if (!CHECKSUM_RE.test(checksum)) ctx.fail("BAD_FIELD", `${field} (${name}) checksum must be 16 lower-case hex digits`, `${field}.checksum`, e, "checksum");
    const entry = { index, name, dtype, shape, size, offset, length, checksum, role: "attribute", field };
    const q = ctx.obj(e, "quant", `${field}.quant`, true);
    if (q) entry.quant = parseQuant(ctx, q, entry, e);
    entries.push(entry);
  }
  const order = entries.slice().sort((a, b) => a.offset - b.offset || a.length - b.length);
  let end = 0;
  let prev;
  for (const t of order) {
    const e = ctx.arr(root, "tensors", "tensors")[t.index];
    if (t.offset < end) {
      ctx.fail("RANGE_OVERLAP", `${t.field} (${t.name}) bytes ${t.offset}..${t.offset + t.length} overlap ${prev.field} (${prev.name}) bytes ${prev.offset}..${end}`, `${t.field}.offset`, e, "offset");
    }
    if (t.offset - end >= QINT_ALIGNMENT) {
      ctx.fail("RANGE_GAP", `${t.field} (${t.name}) starts ${t.offset - end} bytes after the previous tensor ends; gaps must be padding of under ${QINT_ALIGNMENT} bytes`, `${t.field}.offset`, e, "offset");
    }
    end = t.offset + t.length;
    prev = t;
  }
  if (preamble.dataLength - end >= QINT_ALIGNMENT) {
    fail("RANGE_GAP", `the data section has ${preamble.dataLength - end} bytes after the last tensor; at most ${QINT_ALIGNMENT - 1} bytes of padding are allowed`, "preamble.dataLength", 24);
  }
  return entries;
}
function parseQuant(ctx, q, t, e) {
  const field = `${t.field}.quant`;
  const offset = () => ctx.at(e, "quant");
  const granularity = q.granularity;
  if (typeof granularity !== "string" || !GRANULARITIES.has(granularity)) {
    ctx.fail("BAD_QUANT_PARAMS", `${field}.granularity must be per-tensor, per-axis or blocked, got ${kind(granularity)}`, `${field}.granularity`, q, "granularity");
  }
  const dtype = q.dtype;
  if (typeof dtype !== "string" || !isDType3(dtype) || !isQuantDType(dtype)) {
    ctx.fail("BAD_QUANT_PARAMS", `${field}.dtype must be a quantized integer dtype, got ${kind(dtype)}`, `${field}.dtype`, q, "dtype");
  }
  if (isQuantDType(t.dtype) && t.dtype !== dtype) {
    ctx.fail("BAD_QUANT_PARAMS", `${field}.dtype is ${dtype} but the tensor (${t.name}) is ${t.dtype}`, `${field}.dtype`, q, "dtype");
  }
  const rank = t.shape.length;
  let axis = -1;
  let blockSize = 0;
  let count = 1;
  if (granularity !== "per-tensor") {
    const a = q.axis;
    if (typeof a !== "number" || !Number.isInteger(a) || a < -rank || a >= rank) {
      ctx.fail("BAD_QUANT_PARAMS", `${field}.axis must be an integer in [${-rank}, ${rank - 1}] for shape [${t.shape.join(",")}], got ${kind(a)}`, `${field}.axis`, q, "axis");
    }
    axis = a;
    const ax = a < 0 ? a + rank : a;
    if (granularity === "per-axis") count = t.shape[ax];
    else {
      const b = q.blockSize;
      if (typeof b !== "number" || !Number.isSafeInteger(b) || b < 1) {
        ctx.fail("BAD_QUANT_PARAMS", `${field}.blockSize must be a positive integer, got ${kind(b)}`, `${field}.blockSize`, q, "blockSize");
      }
      blockSize = b;
      count = 1;
      for (let d = 0; d < rank; d++) count *= d === ax ? Math.ceil(t.shape[d] / b) : t.shape[d];
    }
  }
  if (count < 1) ctx.fail("BAD_QUANT_PARAMS", `${field} needs ${count} scales for shape [${t.shape.join(",")}]; quantization params need at least one`, field, e, "quant");
  const values = (key) => {
    const v = q[key];
    if (Array.isArray(v)) {
      if (v.length !== count) {
        ctx.fail("BAD_QUANT_PARAMS", `${field}.${key} has ${v.length} entries but ${granularity} params for shape [${t.shape.join(",")}] need ${count}`, `${field}.${key}`, q, key);
      }
      for (let i = 0; i < v.length; i++) if (typeof v[i] !== "number") ctx.fail("BAD_QUANT_PARAMS", `${field}.${key}[${i}] must be a number, got ${kind(v[i])}`, `${field}.${key}[${i}]`, v, i);
      return v;
    }
    if (v !== null && typeof v === "object") return ctx.int(v, "tensor", `${field}.${key}.tensor`, 0);
    return ctx.fail("BAD_QUANT_PARAMS", `${field}.${key} must be an array of numbers or {"tensor": index}, got ${kind(v)}`, `${field}.${key}`, q, key);
  };
  return { granularity, dtype, axis, blockSize, count, scale: values("scale"), zeroPoint: values("zeroPoint"), field, offset };
}

// src/internal/plan-checked.ts
function planChecked(model, options) {
  const plan = planWrite(model, options);
  try {
    const preamble = parsePreamble(plan.head.subarray(0, QINT_PREAMBLE_BYTES), plan.totalLength, plan.head.byteLength);
    const header = parseHeader(plan.head.subarray(0, QINT_PREAMBLE_BYTES), plan.head.subarray(QINT_PREAMBLE_BYTES, QINT_PREAMBLE_BYTES + preamble.headerLength), preamble, false);
    checkModel(header);
  } catch (e) {
    if (e instanceof FormatError) {
      throw new FormatError(e.reason, `the model cannot be saved: ${e.message}`, { field: e.field, offset: -1, cause: e });
    }
    throw e;
  }
  return plan;
}

// src/encode-qint.ts
async function encodeQint(model, options = {}) {
  await loadChecksum();
  const plan = planChecked(model, options);
  const out = new Uint8Array(plan.totalLength);
  out.set(plan.head, 0);
  for (const t of plan.tensors) out.set(t.bytes, plan.dataOffset + t.offset);
  return out;
}

// src/internal/tensor-view.ts
import { storageConstructor, Tensor } from "@qint/tensor";
function tensorFromBytes(bytes, entry, fileOffset, verify) {
  if (bytes.byteLength !== entry.length) {
    throw new FormatError("TRUNCATED", `${entry.field} (${entry.name}): read ${bytes.byteLength} bytes, expected ${entry.length}`, { field: entry.field, offset: fileOffset });
  }
  if (verify) {
    const actual = checksumHex(bytes);
    if (actual !== entry.checksum) {
      throw new FormatError(
        "CHECKSUM_MISMATCH",
        `tensor ${JSON.stringify(entry.name)} is corrupt: its data (bytes ${fileOffset}..${fileOffset + entry.length}) hashes to ${actual}, the header records ${entry.checksum}`,
        { field: entry.field, offset: fileOffset }
      );
    }
  }
  const Ctor = storageConstructor(entry.dtype);
  const bpe = Ctor.BYTES_PER_ELEMENT;
  const src = bytes.byteOffset % bpe === 0 ? bytes : bytes.slice();
  const data = new Ctor(src.buffer, src.byteOffset, src.byteLength / bpe);
  try {
    return Tensor.from(entry.dtype, entry.shape, data);
  } catch (e) {
    throw new FormatError("BAD_SHAPE", `${entry.field} (${entry.name}) cannot be built: ${e.message}`, { field: entry.field, offset: fileOffset, cause: e });
  }
}

// src/decode-qint.ts
async function decodeQint(bytes, options = {}) {
  await loadChecksum();
  return decodeQintLoaded(bytes, options);
}
function decodeQintLoaded(bytes, options = {}) {
  assertLittleEndian();
  if (!(bytes instanceof Uint8Array)) {
    throw new FormatError("BAD_ARGUMENT", `decodeQint expects a Uint8Array, got ${bytes === null ? "null" : typeof bytes}`, { field: "bytes", offset: -1 });
  }
  const verify = options.verifyChecksums ?? true;
  const preamble = parsePreamble(bytes.subarray(0, QINT_PREAMBLE_BYTES), bytes.byteLength, headerCap(options));
  const header = parseHeader(
    bytes.subarray(0, QINT_PREAMBLE_BYTES),
    bytes.subarray(QINT_PREAMBLE_BYTES, QINT_PREAMBLE_BYTES + preamble.headerLength),
    preamble,
    verify
  );
  checkModel(header);
  const tensors = header.tensors.map((entry) => {
    const start = preamble.dataOffset + entry.offset;
    return tensorFromBytes(bytes.subarray(start, start + entry.length), entry, start, verify);
  });
  return buildDocument(header, tensors);
}

// src/internal/info.ts
function headerInfo(h) {
  const m = h.modelJson;
  const g = h.graphJson;
  const opTypes = {};
  const nodes = g.nodes;
  for (const n of nodes) Object.defineProperty(opTypes, n.opType, { value: (Object.hasOwn(opTypes, n.opType) ? opTypes[n.opType] : 0) + 1, enumerable: true, writable: true, configurable: true });
  const tensors = h.tensors.map((t) => ({
    index: t.index,
    name: t.name,
    role: t.role,
    dtype: t.dtype,
    shape: t.shape,
    byteOffset: h.preamble.dataOffset + t.offset,
    byteLength: t.length,
    checksum: t.checksum,
    ...t.quant ? {
      quant: {
        granularity: t.quant.granularity,
        dtype: t.quant.dtype,
        ...t.quant.granularity === "per-tensor" ? {} : { axis: t.quant.axis },
        ...t.quant.granularity === "blocked" ? { blockSize: t.quant.blockSize } : {},
        scaleCount: t.quant.count
      }
    } : {}
  }));
  return {
    version: { major: h.preamble.major, minor: h.preamble.minor },
    producer: h.producer,
    fileByteLength: h.preamble.fileLength,
    headerByteLength: h.preamble.headerLength,
    dataOffset: h.preamble.dataOffset,
    dataByteLength: h.preamble.dataLength,
    model: {
      irVersion: m.irVersion,
      opsetImports: { ...m.opsetImports },
      producerName: m.producerName,
      producerVersion: m.producerVersion,
      graphName: g.name,
      nodeCount: nodes.length,
      opTypes,
      inputs: g.inputs.map((v) => v.name),
      outputs: g.outputs.map((v) => v.name)
    },
    tensors,
    metadata: h.metadata,
    extensions: h.extensions
  };
}

// src/open-qint.ts
async function readExact(source, offset, length, field) {
  let bytes;
  try {
    bytes = await source.read(offset, length);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError("IO", `reading bytes ${offset}..${offset + length} failed: ${e?.message ?? String(e)}`, { field, offset, cause: e });
  }
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== length) {
    throw new FormatError("TRUNCATED", `reading bytes ${offset}..${offset + length} returned ${bytes instanceof Uint8Array ? bytes.byteLength : "no"} bytes (was the file changed while open?)`, { field, offset });
  }
  return bytes;
}
async function openQint(source, options = {}) {
  assertLittleEndian();
  await loadChecksum();
  if (source === null || typeof source !== "object" || typeof source.read !== "function" || !Number.isSafeInteger(source.size) || source.size < 0) {
    throw new FormatError("BAD_ARGUMENT", "source must be a RangeSource with a non-negative integer size and a read(offset, length) method", { field: "source", offset: -1 });
  }
  const verify = options.verifyChecksums ?? true;
  const size = source.size;
  const head = await readExact(source, 0, Math.min(QINT_PREAMBLE_BYTES, size), "preamble");
  const preamble = parsePreamble(head, size, headerCap(options));
  const headerBytes = await readExact(source, QINT_PREAMBLE_BYTES, preamble.headerLength, "header");
  const header = parseHeader(head, headerBytes, preamble, verify);
  checkModel(header);
  const info = headerInfo(header);
  let closed = false;
  const load = async (entry) => {
    if (closed) throw new FormatError("IO", `cannot read ${entry.name}: the reader is closed`, { field: entry.field, offset: -1 });
    const at = preamble.dataOffset + entry.offset;
    return tensorFromBytes(await readExact(source, at, entry.length, entry.field), entry, at, verify);
  };
  return {
    info,
    async readTensor(nameOrIndex) {
      const entry = typeof nameOrIndex === "number" ? header.tensors[nameOrIndex] : header.tensors.find((t) => t.name === nameOrIndex);
      if (!entry) {
        throw new FormatError("BAD_ARGUMENT", `no tensor ${JSON.stringify(nameOrIndex)} in the file (it has ${header.tensors.length})`, { field: "nameOrIndex", offset: -1 });
      }
      return load(entry);
    },
    async readModel() {
      const tensors = [];
      for (const entry of header.tensors) tensors.push(await load(entry));
      return buildDocument(header, tensors);
    },
    async close() {
      if (closed) return;
      closed = true;
      await source.close?.();
    }
  };
}

// src/bytes-source.ts
function bytesSource(bytes) {
  return {
    size: bytes.byteLength,
    async read(offset, length) {
      return bytes.subarray(offset, offset + length);
    }
  };
}

export {
  __require,
  __commonJS,
  __toESM,
  FormatError,
  encodeQint,
  decodeQint,
  openQint,
  bytesSource
};
