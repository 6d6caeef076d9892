// Broadcasting elementwise ops: arithmetic, comparisons, logic, PRelu, Where, and the variadic Min/Max/Sum/Mean.
import {
  DTypeError,
  Tensor,
  allocateData,
  broadcastShapes,
  float16ToFloat32Array,
  float32ToFloat16Array,
  isPackedDType,
  type DType,
} from '@qint/tensor';
import { binaryF32, type OpOptions } from '@qint/kernels';
import { allocateF32, overwrite } from '../buffer-pool';
import { broadcastBinary, broadcastWhere, F32Op } from './broadcast';
import { onnxOp } from './define-op';
import { broadcastInfer } from './infer-helpers';
import type { OpDefinition } from './op-definition';
import { checkOutputSize, fromNumbers, need } from './tensor-utils';

type NumFn = (x: number, y: number) => number;
type BigFn = (x: bigint, y: bigint) => bigint;

/** How one binary op computes on each storage kind. */
export interface BinarySpec {
  readonly name: string;
  /** Inlined float32 arithmetic, if any. */
  readonly op: F32Op;
  /** Float semantics (also float16, through float32). */
  readonly float: NumFn;
  /** Semantics on 8/16/32-bit integers (results wrap in the output's storage). */
  readonly int?: NumFn;
  /** Semantics on int64. */
  readonly big?: BigFn;
  /** Comparisons and logic produce bool; their callbacks work on numbers and bigints alike. */
  readonly toBool?: boolean;
  /** Only bool inputs (And, Or, Xor). */
  readonly boolOnly?: boolean;
}

/**
 * Applies a broadcasting binary op to two tensors of the same dtype.
 * @throws {@link DTypeError} when the dtypes differ or are not supported by the op
 * @throws {@link ShapeError} when the shapes do not broadcast
 */
export function binary(spec: BinarySpec, a: Tensor, b: Tensor, donated = 0, options?: OpOptions): Tensor {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${spec.name}: inputs A (${a.dtype}) and B (${b.dtype}) must have the same dtype`);
  }
  const dtype = a.dtype;
  if (isPackedDType(dtype)) throw new DTypeError(`${spec.name}: ${dtype} inputs are not supported`);
  if (spec.boolOnly && dtype !== 'bool') throw new DTypeError(`${spec.name}: inputs must be bool, got ${dtype}`);
  const shape = a.size === b.size && a.shape.length === b.shape.length ? sameOrBroadcast(a.shape, b.shape) : broadcastShapes(a.shape, b.shape);
  let size = 1;
  for (const d of shape) size *= d;
  const outDtype: DType = spec.toBool ? 'bool' : dtype;
  // Broadcasting [n, 1] with [1, n] squares the size: checked before the float16 path's direct allocations.
  checkOutputSize(outDtype, shape, `${spec.name} output`);
  if (dtype === 'float16') {
    const af = float16ToFloat32Array(a.data as Uint16Array);
    const bf = float16ToFloat32Array(b.data as Uint16Array);
    const out = spec.toBool ? new Uint8Array(size) : new Float32Array(size);
    broadcastBinary(spec.toBool ? F32Op.Callback : spec.op, spec.float, af, a.shape, bf, b.shape, out, shape);
    return spec.toBool ? Tensor.from('bool', shape, out as Uint8Array) : Tensor.from('float16', shape, float32ToFloat16Array(out));
  }
  // In place over a dying float32 operand of the output's size (same layout, so each element is read before it is
  // overwritten at the same index): no allocation. Same arithmetic, same results.
  const reuse =
    dtype === 'float32' && !spec.toBool && spec.op !== F32Op.Callback && size > 0
      ? (donated & 1) !== 0 && a.size === size
        ? overwrite(a.data as Float32Array)
        : (donated & 2) !== 0 && b.size === size
          ? overwrite(b.data as Float32Array)
          : undefined
      : undefined;
  const simple = F32_OPS[spec.op];
  if (dtype === 'float32' && !spec.toBool && simple && size > 0 && ((a.size === size && repeats(b, shape)) || (b.size === size && repeats(a, shape)))) {
    // Same size, scalar, or trailing-dims operand (bias, position table): the backend's binaryF32 (SIMD on WASM),
    // float32 arithmetic like the loops below; it writes every element, so a recycled buffer will do.
    const outF32 = reuse ?? allocateF32(size);
    binaryF32({ op: simple, a: a.data as Float32Array, b: b.data as Float32Array, out: outF32 }, options);
    return Tensor.from('float32', shape, outF32);
  }
  const out = reuse ?? allocateData(outDtype, size);
  let f: NumFn | BigFn;
  let op: F32Op = F32Op.Callback;
  if (spec.toBool) f = spec.float;
  else if (dtype === 'float32') {
    f = spec.float;
    op = spec.op;
  } else if (dtype === 'float64') {
    // Double arithmetic, stored in a Float64Array: no float32 rounding anywhere.
    f = spec.float;
  } else if (dtype === 'int64' || dtype === 'uint64') {
    if (!spec.big) throw new DTypeError(`${spec.name}: ${dtype} inputs are not supported`);
    f = spec.big;
  } else {
    if (!spec.int) throw new DTypeError(`${spec.name}: ${dtype} inputs are not supported`);
    f = spec.int;
  }
  broadcastBinary(op, f, a.data, a.shape, b.data, b.shape, out, shape);
  return Tensor.from(outDtype, shape, out);
}

const F32_OPS: Partial<Record<F32Op, 'add' | 'sub' | 'mul' | 'div'>> = { [F32Op.Add]: 'add', [F32Op.Sub]: 'sub', [F32Op.Mul]: 'mul', [F32Op.Div]: 'div' };

/** Whether `t` repeats in contiguous blocks along `shape`: its dims, past leading 1s, are the trailing dims of `shape`. */
function repeats(t: Tensor, shape: readonly number[]): boolean {
  const s = t.shape;
  let lead = 0;
  while (lead < s.length && s[lead] === 1) lead++;
  const rest = s.length - lead;
  if (rest > shape.length) return false;
  for (let i = 0; i < rest; i++) if (s[lead + i] !== shape[shape.length - rest + i]) return false;
  return true;
}

function sameOrBroadcast(a: readonly number[], b: readonly number[]): readonly number[] {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return broadcastShapes(a, b);
  return a;
}

const truncDiv: NumFn = (x, y) => (y === 0 ? 0 : Math.trunc(x / y));

/** How each broadcasting binary op computes, per storage kind. */
export const BINARY_SPECS = {
  Add: { name: 'Add', op: F32Op.Add, float: (x, y) => x + y, int: (x, y) => x + y, big: (x, y) => x + y },
  Sub: { name: 'Sub', op: F32Op.Sub, float: (x, y) => x - y, int: (x, y) => x - y, big: (x, y) => x - y },
  Mul: { name: 'Mul', op: F32Op.Mul, float: (x, y) => x * y, int: (x, y) => Math.imul(x, y), big: (x, y) => x * y },
  Div: { name: 'Div', op: F32Op.Div, float: (x, y) => x / y, int: truncDiv, big: (x, y) => (y === 0n ? 0n : x / y) },
  Max: { name: 'Max', op: F32Op.Callback, float: (x, y) => (x !== x || y !== y ? NaN : x > y ? x : y), int: (x, y) => (x > y ? x : y), big: (x, y) => (x > y ? x : y) },
  Min: { name: 'Min', op: F32Op.Callback, float: (x, y) => (x !== x || y !== y ? NaN : x < y ? x : y), int: (x, y) => (x < y ? x : y), big: (x, y) => (x < y ? x : y) },
  Equal: { name: 'Equal', op: F32Op.Callback, float: (x, y) => (x === y ? 1 : 0), toBool: true },
  Less: { name: 'Less', op: F32Op.Callback, float: (x, y) => (x < y ? 1 : 0), toBool: true },
  Greater: { name: 'Greater', op: F32Op.Callback, float: (x, y) => (x > y ? 1 : 0), toBool: true },
  LessOrEqual: { name: 'LessOrEqual', op: F32Op.Callback, float: (x, y) => (x <= y ? 1 : 0), toBool: true },
  GreaterOrEqual: { name: 'GreaterOrEqual', op: F32Op.Callback, float: (x, y) => (x >= y ? 1 : 0), toBool: true },
  And: { name: 'And', op: F32Op.Callback, float: (x, y) => (x && y ? 1 : 0), toBool: true, boolOnly: true },
  Or: { name: 'Or', op: F32Op.Callback, float: (x, y) => (x || y ? 1 : 0), toBool: true, boolOnly: true },
  Xor: { name: 'Xor', op: F32Op.Callback, float: (x, y) => ((x ? 1 : 0) ^ (y ? 1 : 0)), toBool: true, boolOnly: true },
} satisfies Record<string, BinarySpec>;

function simpleBinary(spec: BinarySpec, since: number): OpDefinition {
  return onnxOp(
    spec.name,
    since,
    (ctx) => {
      const options = ctx.backend ? { backend: ctx.backend } : undefined;
      return (inputs, donated) => [binary(spec, need(inputs, 0, 'A'), need(inputs, 1, 'B'), donated, options)];
    },
    broadcastInfer(spec.toBool ? 'bool' : undefined),
  );
}

/** Min, Max, Sum, Mean: folds any number of inputs pairwise with broadcasting. */
function variadic(name: 'Min' | 'Max' | 'Sum' | 'Mean', since: number): OpDefinition {
  const spec = name === 'Min' || name === 'Max' ? BINARY_SPECS[name] : BINARY_SPECS.Add;
  return onnxOp(
    name,
    since,
    () => (inputs) => {
      let acc = need(inputs, 0, 'data_0');
      for (let i = 1; i < inputs.length; i++) acc = binary(spec, acc, need(inputs, i, `data_${i}`));
      if (inputs.length === 1) acc = Tensor.from(acc.dtype, acc.shape, acc.data.slice() as typeof acc.data);
      if (name === 'Mean') acc = binary(BINARY_SPECS.Div, acc, fromNumbers(acc.dtype, [], [inputs.length]));
      return [acc];
    },
    broadcastInfer(),
  );
}

/** ONNX Pow: the exponent may have another dtype; the result has the base's dtype. */
function pow(x: Tensor, y: Tensor): Tensor {
  if (x.dtype === 'float32' && y.dtype === 'float32') {
    return binary({ name: 'Pow', op: F32Op.Callback, float: Math.pow }, x, y);
  }
  const shape = broadcastShapes(x.shape, y.shape);
  let size = 1;
  for (const d of shape) size *= d;
  const out = new Float64Array(size);
  broadcastBinary(F32Op.Callback, Math.pow, x.values(), x.shape, y.values(), y.shape, out, shape);
  return fromNumbers(x.dtype, shape, out);
}

/** ONNX Mod: `fmod = 0` takes the divisor's sign (integers only), `fmod = 1` the dividend's (C fmod). */
function modSpec(fmod: boolean): BinarySpec {
  const c: NumFn = (x, y) => (y === 0 ? (fmod ? NaN : 0) : x % y);
  const py: NumFn = (x, y) => {
    if (y === 0) return 0;
    const r = x % y;
    return r !== 0 && r < 0 !== y < 0 ? r + y : r;
  };
  const bigC: BigFn = (x, y) => (y === 0n ? 0n : x % y);
  const bigPy: BigFn = (x, y) => {
    if (y === 0n) return 0n;
    const r = x % y;
    return r !== 0n && r < 0n !== y < 0n ? r + y : r;
  };
  return { name: 'Mod', op: F32Op.Callback, float: c, int: fmod ? c : py, big: fmod ? bigC : bigPy };
}

/** PRelu: `x < 0 ? slope·x : x`, slope broadcast to x. */
const PRELU: BinarySpec = { name: 'PRelu', op: F32Op.Callback, float: (x, s) => (x < 0 ? s * x : x), int: (x, s) => (x < 0 ? s * x : x) };

function where(c: Tensor, x: Tensor, y: Tensor): Tensor {
  if (c.dtype !== 'bool') throw new DTypeError(`Where: input condition must be bool, got ${c.dtype}`);
  if (x.dtype !== y.dtype) throw new DTypeError(`Where: inputs X (${x.dtype}) and Y (${y.dtype}) must have the same dtype`);
  if (isPackedDType(x.dtype)) throw new DTypeError(`Where: ${x.dtype} inputs are not supported`);
  const shape = broadcastShapes(c.shape, x.shape, y.shape);
  let size = 1;
  for (const d of shape) size *= d;
  const out = allocateData(x.dtype, size);
  broadcastWhere(c.data, c.shape, x.data, x.shape, y.data, y.shape, out, shape);
  return Tensor.from(x.dtype, shape, out);
}

/** All broadcasting elementwise op definitions. */
export const binaryOps: readonly OpDefinition[] = [
  simpleBinary(BINARY_SPECS.Add, 7),
  simpleBinary(BINARY_SPECS.Sub, 7),
  simpleBinary(BINARY_SPECS.Mul, 7),
  simpleBinary(BINARY_SPECS.Div, 7),
  simpleBinary(BINARY_SPECS.Equal, 7),
  simpleBinary(BINARY_SPECS.Less, 7),
  simpleBinary(BINARY_SPECS.Greater, 7),
  simpleBinary(BINARY_SPECS.LessOrEqual, 12),
  simpleBinary(BINARY_SPECS.GreaterOrEqual, 12),
  simpleBinary(BINARY_SPECS.And, 7),
  simpleBinary(BINARY_SPECS.Or, 7),
  simpleBinary(BINARY_SPECS.Xor, 7),
  variadic('Min', 6),
  variadic('Max', 6),
  variadic('Sum', 6),
  variadic('Mean', 6),
  onnxOp('Pow', 7, () => (inputs) => [pow(need(inputs, 0, 'X'), need(inputs, 1, 'Y'))], broadcastInfer()),
  onnxOp(
    'Mod',
    10,
    (ctx) => {
      const fmod = ctx.attrs.int('fmod', 0) === 1;
      const spec = modSpec(fmod);
      return (inputs) => {
        const a = need(inputs, 0, 'A');
        if (!fmod && (a.dtype === 'float32' || a.dtype === 'float16' || a.dtype === 'float64')) {
          throw new DTypeError('Mod: float inputs need fmod = 1');
        }
        return [binary(spec, a, need(inputs, 1, 'B'))];
      };
    },
    broadcastInfer(),
  ),
  onnxOp('PRelu', 6, () => (inputs) => [binary(PRELU, need(inputs, 0, 'X'), need(inputs, 1, 'slope'))], broadcastInfer()),
  onnxOp(
    'Where',
    9,
    () => (inputs) => [where(need(inputs, 0, 'condition'), need(inputs, 1, 'X'), need(inputs, 2, 'Y'))],
    (ctx, inputs) => [{ dtype: inputs[1]?.dtype, shape: broadcastInfer()(ctx, inputs)[0]?.shape }],
  ),
];

