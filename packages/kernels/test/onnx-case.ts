// Test-only reader for ONNX node test cases (model.onnx + test_data_set_0/*.pb): a minimal protobuf wire-format
// decoder for the few fields needed (TensorProto, and the single node's op type and attributes). The reference
// numbers themselves come from the ONNX files; nothing here computes expected values.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, type DType } from '@qint/tensor';

type Field = { no: number; wire: number; value: bigint | Uint8Array };

function decode(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ no, wire, value: varint() });
    else if (wire === 1) {
      fields.push({ no, wire, value: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      fields.push({ no, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 5) {
      fields.push({ no, wire, value: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return fields;
}

function packedVarints(f: Field): bigint[] {
  if (f.wire === 0) return [f.value as bigint];
  const out: bigint[] = [];
  for (const g of decode(prefixAsVarints(f.value as Uint8Array))) out.push(g.value as bigint);
  return out;
}

// Re-frame a packed varint payload as a sequence of field-1 varints so `decode` can read it.
function prefixAsVarints(payload: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < payload.length) {
    out.push(0x08);
    do out.push(payload[i]);
    while (payload[i++] & 0x80);
  }
  return Uint8Array.from(out);
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const signed = (v: bigint): number => Number(BigInt.asIntN(64, v));

const DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 10: 'float16',
  21: 'uint4', 22: 'int4', 25: 'uint2', 26: 'int2',
};

/** A decoded TensorProto; `tensor` is undefined for element types qint has no dtype for (float8, float4, ...). */
export interface CaseTensor {
  name: string;
  dataType: number;
  tensor?: Tensor;
}

export function decodeTensor(buf: Uint8Array): CaseTensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const int64s: bigint[] = [];
  for (const f of decode(buf)) {
    if (f.no === 1) dims.push(...packedVarints(f).map(signed));
    else if (f.no === 2) dataType = Number(f.value);
    else if (f.no === 8) name = text(f.value as Uint8Array);
    else if (f.no === 9) raw = f.value as Uint8Array;
    else if (f.no === 4) {
      const b = f.value as Uint8Array;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < b.byteLength; i += 4) floats.push(dv.getFloat32(i, true));
    } else if (f.no === 5) ints.push(...packedVarints(f).map((v) => Number(BigInt.asIntN(32, v))));
    else if (f.no === 7) int64s.push(...packedVarints(f).map((v) => BigInt.asIntN(64, v)));
  }
  const dtype = DTYPES[dataType];
  if (!dtype) return { name, dataType };
  const size = dims.reduce((a, b) => a * b, 1);
  let tensor: Tensor;
  if (raw) {
    const copy = new Uint8Array(raw);
    const C: Record<string, new (b: ArrayBuffer) => unknown> = {
      float32: Float32Array, uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, int32: Int32Array,
      int64: BigInt64Array, float16: Uint16Array, uint4: Uint8Array, int4: Uint8Array, uint2: Uint8Array, int2: Uint8Array,
    };
    tensor = Tensor.from(dtype, dims, new C[dtype](copy.buffer) as never);
  } else if (dtype === 'float32') tensor = Tensor.from(dtype, dims, Float32Array.from(floats));
  else if (dtype === 'int64') tensor = Tensor.from(dtype, dims, BigInt64Array.from(int64s));
  else if (dtype === 'float16') tensor = Tensor.from(dtype, dims, Uint16Array.from(ints));
  else if (dtype === 'uint4' || dtype === 'int4' || dtype === 'uint2' || dtype === 'int2') {
    // Sub-byte data: one packed byte per int32 entry, low bits first.
    tensor = Tensor.from(dtype, dims, Uint8Array.from(ints, (v) => v & 0xff));
  } else tensor = Tensor.from(dtype, dims, ints);
  void size;
  return { name, dataType, tensor };
}

export type AttrValue = number | number[] | string | CaseTensor;

export interface OnnxNodeCase {
  name: string;
  opType: string;
  /** Node input names in order ('' for an omitted optional input). */
  nodeInputs: string[];
  attributes: Record<string, AttrValue>;
  /** Inputs by node input position (undefined where omitted). */
  inputs: (CaseTensor | undefined)[];
  outputs: CaseTensor[];
}

function decodeAttribute(buf: Uint8Array): [string, AttrValue] {
  let name = '';
  let type = 0;
  let f: number | undefined;
  let i: number | undefined;
  let s: string | undefined;
  let t: CaseTensor | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  for (const fl of decode(buf)) {
    if (fl.no === 1) name = text(fl.value as Uint8Array);
    else if (fl.no === 20) type = Number(fl.value);
    else if (fl.no === 2) f = new DataView((fl.value as Uint8Array).slice().buffer).getFloat32(0, true);
    else if (fl.no === 3) i = signed(fl.value as bigint);
    else if (fl.no === 4) s = text(fl.value as Uint8Array);
    else if (fl.no === 5) t = decodeTensor(fl.value as Uint8Array);
    else if (fl.no === 7) {
      const b = fl.value as Uint8Array;
      if (fl.wire === 5) floats.push(new DataView(b.slice().buffer).getFloat32(0, true));
      else for (let k = 0; k < b.length; k += 4) floats.push(new DataView(b.slice(k, k + 4).buffer).getFloat32(0, true));
    } else if (fl.no === 8) ints.push(...packedVarints(fl).map(signed));
  }
  const value: AttrValue = type === 1 ? f! : type === 2 ? i! : type === 3 ? s! : type === 4 ? t! : type === 6 ? floats : ints;
  return [name, value ?? 0];
}

/** Loads one ONNX node test case directory. */
export function loadNodeCase(dir: string): OnnxNodeCase {
  const model = decode(new Uint8Array(readFileSync(join(dir, 'model.onnx'))));
  const graph = decode(model.find((f) => f.no === 7)!.value as Uint8Array);
  const node = decode(graph.find((f) => f.no === 1)!.value as Uint8Array);
  const nodeInputs = node.filter((f) => f.no === 1).map((f) => text(f.value as Uint8Array));
  const opType = text(node.find((f) => f.no === 4)!.value as Uint8Array);
  const attributes: Record<string, AttrValue> = {};
  for (const a of node.filter((f) => f.no === 5)) {
    const [k, v] = decodeAttribute(a.value as Uint8Array);
    attributes[k] = v;
  }
  const graphInputs = graph.filter((f) => f.no === 11).map((f) => text(decode(f.value as Uint8Array).find((g) => g.no === 1)!.value as Uint8Array));
  const setDir = join(dir, 'test_data_set_0');
  const files = readdirSync(setDir);
  const byName = new Map<string, CaseTensor>();
  graphInputs.forEach((inputName, idx) => {
    const file = join(setDir, `input_${idx}.pb`);
    if (existsSync(file)) byName.set(inputName, decodeTensor(new Uint8Array(readFileSync(file))));
  });
  const outputs = files
    .filter((f) => f.startsWith('output_'))
    .sort()
    .map((f) => decodeTensor(new Uint8Array(readFileSync(join(setDir, f)))));
  return {
    name: dir.split('/').pop()!,
    opType,
    nodeInputs,
    attributes,
    inputs: nodeInputs.map((n) => (n === '' ? undefined : byName.get(n))),
    outputs,
  };
}

export const ONNX_NODE_DIR = '/work/shared/conformance/onnx-node';
