// Bit-level ops: BitwiseAnd/Or/Xor/Not, BitShift, BitCast, and IsInf (a bit-pattern test of floats).
import { DTypeError, Tensor, allocateData, dtypeInfo, isPackedDType } from '@qint/tensor';
import { binary, type BinarySpec } from './binary-ops';
import { F32Op } from './broadcast';
import { onnxOp } from './define-op';
import { broadcastInfer, sameAs, sameShapeAs } from './infer-helpers';
import type { OpDefinition } from './op-definition';
import { dtypeFromOnnx, need } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

const INTEGER_DTYPES = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

function requireInteger(x: Tensor, op: string, what: string): void {
  if (!INTEGER_DTYPES.has(x.dtype)) throw new DTypeError(`${op}: input ${what} must be an integer tensor, got ${x.dtype}`);
}

const noFloat = (): number => NaN;

const BITWISE: Record<'BitwiseAnd' | 'BitwiseOr' | 'BitwiseXor', BinarySpec> = {
  BitwiseAnd: { name: 'BitwiseAnd', op: F32Op.Callback, float: noFloat, int: (x, y) => x & y, big: (x, y) => x & y },
  BitwiseOr: { name: 'BitwiseOr', op: F32Op.Callback, float: noFloat, int: (x, y) => x | y, big: (x, y) => x | y },
  BitwiseXor: { name: 'BitwiseXor', op: F32Op.Callback, float: noFloat, int: (x, y) => x ^ y, big: (x, y) => x ^ y },
};

/**
 * BitwiseNot: the complement of every bit, in the input's integer type.
 * @param x - an integer tensor
 * @returns `~x`
 * @throws {@link DTypeError} for a non-integer input
 * @example
 * ```ts
 * bitwiseNot(Tensor.from('uint8', [1], [1])).data; // Uint8Array [254]
 * ```
 */
export function bitwiseNot(x: Tensor): Tensor {
  requireInteger(x, 'BitwiseNot', 'X');
  const src = x.data as unknown as { [i: number]: number & bigint; length: number };
  const out = allocateData(x.dtype, x.size) as unknown as { [i: number]: number | bigint };
  // Storing ~v wraps to the storage width (unsigned arrays keep the low bits).
  for (let i = 0; i < x.size; i++) out[i] = ~src[i];
  return Tensor.from(x.dtype, x.shape, out as never);
}

/**
 * BitShift on unsigned integers with broadcasting; a shift of the type's width or more gives 0.
 * @param x - the values (uint8, uint16, uint32 or uint64)
 * @param y - the shift amounts, same dtype
 * @param left - LEFT (true) or RIGHT
 * @returns the shifted values
 * @throws {@link DTypeError} for signed or float inputs
 * @example
 * ```ts
 * bitShift(Tensor.from('uint8', [1], [3]), Tensor.from('uint8', [1], [2]), true).data; // Uint8Array [12]
 * ```
 */
export function bitShift(x: Tensor, y: Tensor, left: boolean): Tensor {
  if (!x.dtype.startsWith('uint')) throw new DTypeError(`BitShift: input X must be an unsigned integer tensor, got ${x.dtype}`);
  const bits = dtypeInfo(x.dtype).bits;
  const big = BigInt(bits);
  const spec: BinarySpec = {
    name: 'BitShift',
    op: F32Op.Callback,
    float: noFloat,
    // uint32 values are non-negative numbers < 2^32: `>>>` keeps them unsigned; the output array wraps a left shift.
    int: left ? (a, b) => (b >= bits ? 0 : (a << b) >>> 0) : (a, b) => (b >= bits ? 0 : a >>> b),
    big: left ? (a, b) => (b >= big ? 0n : a << b) : (a, b) => (b >= big ? 0n : a >> b),
  };
  return binary(spec, x, y);
}

/**
 * BitCast: the same bytes read as another dtype of the same bit width (little-endian, as qint stores tensors).
 * @param x - the input
 * @param to - the target dtype
 * @returns a tensor over a copy of x's bytes
 * @throws {@link DTypeError} when the widths differ or a dtype is packed
 * @example
 * ```ts
 * bitCast(Tensor.from('float32', [1], [1]), 'int32').data; // Int32Array [1065353216]
 * ```
 */
export function bitCast(x: Tensor, to: Tensor['dtype']): Tensor {
  if (isPackedDType(x.dtype) || isPackedDType(to)) throw new DTypeError(`BitCast: packed sub-byte dtypes (${x.dtype} → ${to}) are not supported`);
  if (dtypeInfo(x.dtype).bits !== dtypeInfo(to).bits) {
    throw new DTypeError(`BitCast: ${x.dtype} (${dtypeInfo(x.dtype).bits} bits) and ${to} (${dtypeInfo(to).bits} bits) differ in width`);
  }
  const out = allocateData(to, x.size);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
  return Tensor.from(to, x.shape, out);
}

/**
 * IsInf: whether each element is +∞ (when `positive`) or −∞ (when `negative`).
 * @returns a bool tensor of x's shape
 * @throws {@link DTypeError} for a non-float input
 */
export function isInf(x: Tensor, positive: boolean, negative: boolean): Tensor {
  if (!dtypeInfo(x.dtype).isFloat) throw new DTypeError(`IsInf: input X must be a float tensor, got ${x.dtype}`);
  const v = x.values();
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (positive && v[i] === Infinity) || (negative && v[i] === -Infinity) ? 1 : 0;
  return Tensor.from('bool', x.shape, out);
}

function bitwiseBinary(name: keyof typeof BITWISE): OpDefinition {
  return onnxOp(
    name,
    18,
    () => (inputs) => {
      const a = need(inputs, 0, 'A');
      requireInteger(a, name, 'A');
      return [binary(BITWISE[name], a, need(inputs, 1, 'B'))];
    },
    broadcastInfer(),
  );
}

/** The bit-level op definitions. */
export const bitwiseOps: readonly OpDefinition[] = [
  bitwiseBinary('BitwiseAnd'),
  bitwiseBinary('BitwiseOr'),
  bitwiseBinary('BitwiseXor'),
  onnxOp('BitwiseNot', 18, () => (inputs) => [bitwiseNot(need(inputs, 0, 'X'))], sameAs(0)),
  onnxOp(
    'BitShift',
    11,
    (ctx) => {
      const direction = ctx.attrs.string('direction') ?? ctx.attrs.fail('attribute "direction" is required');
      if (direction !== 'LEFT' && direction !== 'RIGHT') ctx.attrs.fail(`direction "${direction}" is not LEFT or RIGHT`);
      return (inputs) => [bitShift(need(inputs, 0, 'X'), need(inputs, 1, 'Y'), direction === 'LEFT')];
    },
    broadcastInfer(),
  ),
  onnxOp(
    'BitCast',
    26,
    (ctx) => {
      const code = ctx.attrs.int('to') ?? ctx.attrs.fail('attribute "to" is required');
      let to: Tensor['dtype'];
      try {
        to = dtypeFromOnnx(code, 'attribute "to"');
      } catch {
        throw new UnsupportedVariant(`BitCast to ONNX type ${code} is not supported (qint cannot hold it)`);
      }
      return (inputs) => [bitCast(need(inputs, 0, 'input'), to)];
    },
    (ctx, [x]) => {
      const code = ctx.attrs.int('to', 0);
      return [{ dtype: dtypeFromOnnx(code, 'BitCast to'), shape: x?.shape }];
    },
  ),
  onnxOp(
    'IsInf',
    10,
    (ctx) => {
      const pos = ctx.attrs.int('detect_positive', 1) === 1;
      const neg = ctx.attrs.int('detect_negative', 1) === 1;
      return (inputs) => [isInf(need(inputs, 0, 'X'), pos, neg)];
    },
    sameShapeAs(0, 'bool'),
  ),
];
