// Argument checks shared by the op functions. Every error names the op and the argument (ONNX input names).
import {
  DTypeError,
  float16ToFloat32Array,
  formatShape,
  isPackedDType,
  ShapeError,
  Tensor,
  unpackSubByte,
  ValueError,
  dtypeInfo,
  type DType,
  type PackedDType,
} from '@qint/tensor';

/** Throws unless `t` is a Tensor. */
export function requireTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) {
    throw new DTypeError(`${op}: input "${name}" must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  }
}

/** Throws a DTypeError unless `t` is a Tensor of one of `allowed`. */
export function requireDType<D extends DType>(op: string, name: string, t: unknown, allowed: readonly D[]): asserts t is Tensor<D> {
  requireTensor(op, name, t);
  if (!(allowed as readonly DType[]).includes(t.dtype)) {
    throw new DTypeError(`${op}: input "${name}" must be ${allowed.join(' or ')}, got ${t.dtype}`);
  }
}

/** Reads a scale tensor (float32 or float16) as float32 values, checking each is finite and > 0. */
export function readScales(op: string, name: string, t: unknown): Float32Array {
  requireDType(op, name, t, ['float32', 'float16'] as const);
  const values = t.dtype === 'float32' ? (t.data as Float32Array) : float16ToFloat32Array(t.data as Uint16Array);
  for (let i = 0; i < values.length; i++) {
    const s = values[i];
    if (!(s > 0) || s === Infinity) {
      throw new ValueError(`${op}: input "${name}"[${i}] = ${s} must be a finite scale > 0`, { quantParams: true });
    }
  }
  return values;
}

/** Element values of an integer tensor as a plain typed array (sub-byte dtypes unpacked, sign-extended). */
export function intValues(t: Tensor): Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array {
  if (isPackedDType(t.dtype)) return unpackSubByte(t.data as Uint8Array, t.dtype as PackedDType, t.size);
  return t.data as Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;
}

/**
 * Reads a zero-point tensor of dtype `dtype` as an Int32Array. Tensor construction already guarantees values in
 * range, but storage passed as a typed array of a wider type is re-checked here.
 */
export function readZeroPoints(op: string, name: string, t: unknown, dtype: DType): Int32Array {
  requireTensor(op, name, t);
  if (t.dtype !== dtype) {
    throw new DTypeError(`${op}: input "${name}" must have the same dtype as the quantized tensor (${dtype}), got ${t.dtype}`);
  }
  const values = intValues(t);
  const { min, max } = dtypeInfo(dtype);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const z = values[i];
    if (z < min || z > max) throw new ValueError(`${op}: input "${name}"[${i}] = ${z} is outside [${min}, ${max}] of ${dtype}`, { quantParams: true });
    out[i] = z;
  }
  return out;
}

/**
 * Reads the optional per-tensor output zero point of QLinearMatMul / QLinearConv: one uint8 or int8 element whose
 * dtype is the output's; without it the output has `fallback` dtype and zero point 0.
 */
export function readOutputZeroPoint(op: string, t: Tensor | undefined, fallback: 'uint8' | 'int8'): { dtype: 'uint8' | 'int8'; zeroPoint: number } {
  if (t === undefined || t === null) return { dtype: fallback, zeroPoint: 0 };
  requireDType(op, 'y_zero_point', t, ['uint8', 'int8'] as const);
  if (t.size !== 1) throw new ShapeError(`${op}: input "y_zero_point" has shape ${formatShape(t.shape)}; expected one element`);
  return { dtype: t.dtype, zeroPoint: t.toArray()[0] };
}

/** Throws a ShapeError unless `t` has the given shape. */
export function requireShape(op: string, name: string, t: Tensor, shape: readonly number[], why: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${op}: input "${name}" has shape ${formatShape(t.shape)} but ${why} needs ${formatShape(shape)}`);
  }
}

/** Reads an integer attribute, checking it is an integer in `[min, max]`. */
export function intAttr(op: string, name: string, value: unknown, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValueError(`${op}: attribute "${name}" must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** Reads an optional list of integers attribute of a given length. */
export function intsAttr(op: string, name: string, value: unknown, length: number, min: number): number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length !== length || value.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < min)) {
    throw new ValueError(`${op}: attribute "${name}" must be ${length} integers ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}
