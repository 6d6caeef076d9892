// protobufjs reads a known scalar field with the reader of its declared type whatever wire type the tag says: an
// `ir_version` sent length-delimited, or a `producer_name` sent as a varint, decodes to garbage instead of failing.
// This pass walks the bytes once against the schema before protobufjs sees them and refuses any known field whose
// wire type its declared type cannot have (repeated numeric fields may be packed or not, as proto2 parsers must
// accept both). Unknown fields are skipped by their wire type, as protobuf requires. Payloads (raw_data, packed
// arrays) are skipped by length, so the pass costs little next to the decode.
import { OnnxError } from '../onnx-error';
import { ONNX_SCHEMA_JSON } from './onnx-schema';

interface FieldSpec {
  readonly name: string;
  readonly type: string;
  readonly repeated: boolean;
}

type Schema = ReadonlyMap<string, ReadonlyMap<number, FieldSpec>>;

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'start-group', 'end-group', '32-bit', 'wire type 6', 'wire type 7'];
const VARINT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const FIXED64_TYPES = new Set(['double', 'fixed64', 'sfixed64']);
const FIXED32_TYPES = new Set(['float', 'fixed32', 'sfixed32']);
const MAX_DEPTH = 100;

let schema: Schema | undefined;

function buildSchema(): Schema {
  const out = new Map<string, Map<number, FieldSpec>>();
  type Json = { fields?: Record<string, { type: string; id: number; rule?: string }>; nested?: Record<string, Json> };
  const visit = (name: string, m: Json): void => {
    if (m.fields) {
      const fields = new Map<number, FieldSpec>();
      for (const [fieldName, f] of Object.entries(m.fields)) fields.set(f.id, { name: fieldName, type: f.type, repeated: f.rule === 'repeated' });
      out.set(name, fields);
    }
    for (const [n, sub] of Object.entries(m.nested ?? {})) visit(n, sub);
  };
  for (const [name, m] of Object.entries(ONNX_SCHEMA_JSON.nested.onnx.nested)) visit(name, m as Json);
  return out;
}

/** The wire type a field of `type` is written with (2 for strings, bytes and messages). */
function scalarWireType(type: string): number {
  if (VARINT_TYPES.has(type)) return 0;
  if (FIXED64_TYPES.has(type)) return 1;
  if (FIXED32_TYPES.has(type)) return 5;
  return 2;
}

class Walker {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    readonly type: string,
  ) {}

  fail(message: string, at: number): never {
    throw new OnnxError(`${this.what} is not a valid ONNX ${this.type}: ${message} (byte ${at})`);
  }

  varint(end: number): number {
    let result = 0;
    let scale = 1;
    const start = this.pos;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) this.fail('truncated varint', start);
      const b = this.bytes[this.pos++];
      // Only the low 53 bits matter here (tags and lengths); larger values fail the range checks below.
      if (i < 8) result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
    return this.fail('varint longer than 10 bytes', start);
  }

  skip(wire: number, end: number, at: number, depth: number, group?: number): void {
    switch (wire) {
      case 0:
        this.varint(end);
        return;
      case 1:
        if (this.pos + 8 > end) this.fail('truncated 64-bit field', at);
        this.pos += 8;
        return;
      case 5:
        if (this.pos + 4 > end) this.fail('truncated 32-bit field', at);
        this.pos += 4;
        return;
      case 2: {
        const length = this.varint(end);
        if (length > end - this.pos) this.fail(`length ${length} runs past the end of its message`, at);
        this.pos += length;
        return;
      }
      case 3: {
        // An unknown proto2 group: skip its fields up to the matching end-group tag.
        if (depth >= MAX_DEPTH) this.fail(`nesting depth exceeds ${MAX_DEPTH}`, at);
        for (;;) {
          if (this.pos >= end) this.fail('unterminated group', at);
          const tagAt = this.pos;
          const tag = this.varint(end);
          if ((tag & 7) === 4) {
            if (Math.floor(tag / 8) !== group) this.fail('mismatched end-group tag', tagAt);
            return;
          }
          this.skip(tag & 7, end, tagAt, depth + 1, Math.floor(tag / 8));
        }
      }
      default:
        this.fail(`invalid wire type ${wire}`, at);
    }
  }

  message(type: string, end: number, path: string, depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`nesting depth exceeds ${MAX_DEPTH} at ${path}`, this.pos);
    const fields = schema!.get(type);
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.varint(end);
      const id = Math.floor(tag / 8);
      const wire = tag & 7;
      if (id === 0) this.fail(`field number 0 in ${path}`, at);
      const field = fields?.get(id);
      if (field === undefined) {
        if (wire === 4) this.fail(`unexpected end-group tag in ${path}`, at);
        this.skip(wire, end, at, depth, id);
        continue;
      }
      const expected = scalarWireType(field.type);
      const packable = field.repeated && expected !== 2;
      if (wire !== expected && !(packable && wire === 2)) {
        this.fail(`${path}.${field.name} (field ${id}, ${field.type}) has wire type ${wire} (${WIRE_NAMES[wire]}); it must be ${expected} (${WIRE_NAMES[expected]})`, at);
      }
      if (wire === 2 && schema!.has(field.type)) {
        const length = this.varint(end);
        if (length > end - this.pos) this.fail(`${path}.${field.name}: length ${length} runs past the end of its message`, at);
        const stop = this.pos + length;
        this.message(field.type, stop, `${path}.${field.name}`, depth + 1);
        this.pos = stop;
      } else this.skip(wire, end, at, depth);
    }
    if (this.pos !== end) this.fail(`${path} runs past the end of its message`, this.pos);
  }
}

/**
 * Checks that every known field of a serialized ONNX message has a wire type its declared type allows, before the
 * bytes are decoded.
 *
 * @param bytes - the serialized message
 * @param type - its message type (e.g. `'ModelProto'`)
 * @param what - what the bytes are, for the error message
 * @throws {@link OnnxError} naming the field path, its wire type and the byte offset
 */
export function checkWireTypes(bytes: Uint8Array, type: string, what: string): void {
  schema ??= buildSchema();
  const w = new Walker(bytes, what, type);
  w.message(type, bytes.length, type, 0);
}
