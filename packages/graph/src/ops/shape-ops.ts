// Ops that only change how elements are indexed (views where possible) and ops that compute shapes.
import { DTypeError, ShapeError, Tensor, ValueError, formatShape, normalizeAxis, type DType } from '@qint/tensor';
import type { Dim } from '../ir';
import { onnxOp } from './define-op';
import { dimProduct } from './infer-helpers';
import type { InferredValue, OpBuildContext, OpDefinition, ShapeInferrer } from './op-definition';
import { checkOutputSize, need, prod, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** ONNX Reshape: 0 copies the input dim (unless `allowzero`), -1 is inferred. A view: no copy. */
export function reshape(x: Tensor, shape: readonly number[], allowZero = false): Tensor {
  return x.reshape(shape, { allowZero });
}

function reshapeInfer(ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): (InferredValue | undefined)[] {
  const x = inputs[0];
  const allowZero = ctx.attrs.int('allowzero', 0) === 1;
  let target: Dim[] | undefined;
  if (ctx.opset < 5) target = ctx.attrs.ints('shape')?.slice();
  else if (inputs[1]?.value) target = readInts(inputs[1].value, 'Reshape shape');
  else if (inputs[1]?.dims) target = inputs[1].dims.slice();
  if (!target) {
    const len = inputs[1]?.shape?.[0];
    return [{ dtype: x?.dtype, shape: typeof len === 'number' ? new Array<Dim>(len).fill(undefined) : undefined }];
  }
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? x?.shape?.[i] : d === -1 ? undefined : d));
  const inferAt = target.indexOf(-1);
  if (inferAt >= 0 && x?.shape) {
    const rest = out.filter((_, i) => i !== inferAt);
    const total = dimProduct(x.shape);
    const known = dimProduct(rest);
    if (total !== undefined && known !== undefined && known > 0) out[inferAt] = total / known;
    else {
      // Symbolic dims on both sides cancel when they are the same names: [N, 8, 14, 14] → [N, -1] gives [N, 1568].
      const symIn = x.shape.filter((d) => typeof d === 'string').sort();
      const symOut = rest.filter((d) => typeof d === 'string').sort();
      const staticIn = dimProduct(x.shape.filter((d) => typeof d === 'number'));
      const staticOut = dimProduct(rest.filter((d) => typeof d === 'number'));
      const unknown = x.shape.some((d) => d === undefined) || rest.some((d) => d === undefined);
      if (!unknown && staticIn !== undefined && staticOut !== undefined && staticOut > 0) {
        if (symIn.join('\u0000') === symOut.join('\u0000')) {
          if (staticIn % staticOut === 0) out[inferAt] = staticIn / staticOut;
        } else if (symIn.length === 1 && symOut.length === 0 && staticIn === staticOut) out[inferAt] = symIn[0];
      }
    }
  }
  return [{ dtype: x?.dtype, shape: out }];
}

function reshapeOp(since: number): OpDefinition {
  return onnxOp(
    'Reshape',
    since,
    (ctx) => {
      const allowZero = ctx.attrs.int('allowzero', 0) === 1;
      if (since < 5) {
        const shape = ctx.attrs.ints('shape') ?? ctx.attrs.fail('attribute "shape" is required');
        return (inputs) => [reshape(need(inputs, 0, 'data'), shape)];
      }
      return (inputs) => [reshape(need(inputs, 0, 'data'), readInts(need(inputs, 1, 'shape'), 'input shape'), allowZero)];
    },
    reshapeInfer,
  );
}

function flattenShape(shape: readonly number[], axisAttr: number): number[] {
  const axis = axisAttr < 0 ? axisAttr + shape.length : axisAttr;
  if (axis < 0 || axis > shape.length) throw new ValueError(`Flatten: axis ${axisAttr} is out of range for rank ${shape.length}`);
  return [prod(shape, 0, axis), prod(shape, axis)];
}

function squeezeAxes(ctx: OpBuildContext, inputs: readonly (Tensor | undefined)[], attrAxes: readonly number[] | undefined): number[] | undefined {
  if (ctx.opset < 13) return attrAxes?.slice();
  return inputs[1] ? readInts(inputs[1], 'input axes') : undefined;
}

/** ONNX Squeeze: removes the given size-1 axes, or all of them. */
export function squeeze(x: Tensor, axes: readonly number[] | undefined): Tensor {
  const rank = x.rank;
  if (!axes) return x.reshape(x.shape.filter((d) => d !== 1));
  const drop = new Set(axes.map((a) => normalizeAxis(a, rank, 'Squeeze axes')));
  for (const a of drop) {
    if (x.shape[a] !== 1) throw new ShapeError(`Squeeze: axis ${a} of input ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return x.reshape(x.shape.filter((_, i) => !drop.has(i)));
}

/** ONNX Unsqueeze: inserts size-1 axes at the given positions of the output. */
export function unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
  const outRank = x.rank + axes.length;
  const at = new Set(axes.map((a) => normalizeAxis(a, outRank, 'Unsqueeze axes')));
  if (at.size !== axes.length) throw new ValueError(`Unsqueeze: axes [${axes.join(',')}] repeat an axis`);
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < outRank; i++) out.push(at.has(i) ? 1 : x.shape[j++]);
  return x.reshape(out);
}

const squeezeInfer: ShapeInferrer = (ctx, inputs) => {
  const x = inputs[0];
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const axes = ctx.opset < 13 ? ctx.attrs.ints('axes') : inputs[1]?.value ? readInts(inputs[1].value, 'axes') : inputs[1] ? null : undefined;
  if (axes === null) return [{ dtype: x.dtype }];
  const rank = x.shape.length;
  if (!axes) {
    if (x.shape.some((d) => typeof d !== 'number')) return [{ dtype: x.dtype }];
    return [{ dtype: x.dtype, shape: x.shape.filter((d) => d !== 1) }];
  }
  const drop = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !drop.has(i)) }];
};

const unsqueezeInfer: ShapeInferrer = (ctx, inputs) => {
  const x = inputs[0];
  const axes = ctx.opset < 13 ? ctx.attrs.ints('axes') : inputs[1]?.value ? readInts(inputs[1].value, 'axes') : undefined;
  if (!x?.shape || !axes) return [{ dtype: x?.dtype }];
  const outRank = x.shape.length + axes.length;
  const at = new Set(axes.map((a) => (a < 0 ? a + outRank : a)));
  const out: Dim[] = [];
  let j = 0;
  for (let i = 0; i < outRank; i++) out.push(at.has(i) ? 1 : x.shape[j++]);
  return [{ dtype: x.dtype, shape: out }];
};

function squeezeOp(since: number): OpDefinition {
  return onnxOp(
    'Squeeze',
    since,
    (ctx) => {
      const attrAxes = ctx.attrs.ints('axes');
      return (inputs) => [squeeze(need(inputs, 0, 'data'), squeezeAxes(ctx, inputs, attrAxes))];
    },
    squeezeInfer,
  );
}

function unsqueezeOp(since: number): OpDefinition {
  return onnxOp(
    'Unsqueeze',
    since,
    (ctx) => {
      const attrAxes = ctx.attrs.ints('axes');
      if (since < 13 && !attrAxes) ctx.attrs.fail('attribute "axes" is required');
      return (inputs) => {
        const axes = since < 13 ? attrAxes! : readInts(need(inputs, 1, 'axes'), 'input axes');
        return [unsqueeze(need(inputs, 0, 'data'), axes)];
      };
    },
    unsqueezeInfer,
  );
}

function int64(shape: readonly number[], values: readonly number[]): Tensor {
  return Tensor.from('int64', shape, BigInt64Array.from(values, (v) => BigInt(v)));
}

function shapeRange(rank: number, start: number, end: number | undefined): [number, number] {
  const clampAxis = (a: number): number => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
  return [clampAxis(start), clampAxis(end ?? rank)];
}

/** ConstantOfShape / Constant value attribute → tensor. */
function constantValue(ctx: OpBuildContext): Tensor {
  const a = ctx.attrs;
  const t = a.tensor('value');
  if (t) return t;
  if (a.has('value_float')) return Tensor.scalar('float32', a.float('value_float')!);
  if (a.has('value_floats')) return Tensor.from('float32', [a.floats('value_floats')!.length], a.floats('value_floats')!);
  if (a.has('value_int')) return int64([], [a.int('value_int')!]);
  if (a.has('value_ints')) return int64([a.ints('value_ints')!.length], a.ints('value_ints')!);
  if (a.has('sparse_value') || a.has('value_string') || a.has('value_strings')) {
    throw new UnsupportedVariant('sparse and string constants are not supported');
  }
  return a.fail('needs one of the attributes value, value_float(s), value_int(s)');
}

function constantOfShape(shapeT: Tensor, value: Tensor): Tensor {
  const shape = readInts(shapeT, 'ConstantOfShape input');
  if (shape.every((d) => Number.isSafeInteger(d) && d >= 0)) checkOutputSize(value.dtype, shape, 'ConstantOfShape output');
  const out = Tensor.zeros(value.dtype, shape);
  const first = (value.data as unknown as ArrayLike<number | bigint>)[0];
  // Storage codes (float16 bits, float8 codes) are copied as they are; float4e2m1 is packed two codes per byte.
  if (value.dtype === 'float4e2m1') (out.data as Uint8Array).fill(((first as number) & 15) * 17);
  else if (typeof first === 'bigint') (out.data as BigInt64Array).fill(first);
  else (out.data as Float32Array).fill(first);
  return out;
}

/** ONNX Range: `ceil((limit − start) / delta)` values (never negative). */
function range(start: Tensor, limit: Tensor, delta: Tensor): Tensor {
  if (start.dtype !== limit.dtype || start.dtype !== delta.dtype) {
    throw new DTypeError(`Range: start (${start.dtype}), limit (${limit.dtype}) and delta (${delta.dtype}) must have the same dtype`);
  }
  const s = start.values()[0];
  const l = limit.values()[0];
  const d = delta.values()[0];
  if (d === 0) throw new ValueError('Range: delta must not be 0');
  const n = Math.max(Math.ceil((l - s) / d), 0);
  const dtype: DType = start.dtype;
  // n comes from three scalars of the file: ceil((1e18 − 0) / 1) would otherwise be a 8e18-byte array request.
  checkOutputSize(dtype, [n], 'Range output');
  if (dtype === 'int64') return Tensor.from('int64', [n], BigInt64Array.from({ length: n }, (_, i) => BigInt(s + i * d)));
  const out = Tensor.zeros(dtype, [n]);
  const o = out.data as Float32Array;
  for (let i = 0; i < n; i++) o[i] = s + i * d;
  return out;
}

const shapeInfer: ShapeInferrer = (ctx, inputs) => {
  const x = inputs[0];
  if (!x?.shape) return [{ dtype: 'int64' }];
  const [b, e] = shapeRange(x.shape.length, ctx.attrs.int('start', 0), ctx.attrs.int('end'));
  const dims = x.shape.slice(b, e);
  return [{ dtype: 'int64', shape: [e - b], dims, value: dims.every((d) => typeof d === 'number') ? int64([e - b], dims as number[]) : undefined }];
};

/** All shape and view op definitions. */
export const shapeOps: readonly OpDefinition[] = [
  reshapeOp(1),
  reshapeOp(5),
  onnxOp(
    'Flatten',
    1,
    (ctx) => {
      const axis = ctx.attrs.int('axis', 1);
      return (inputs) => {
        const x = need(inputs, 0, 'input');
        return [x.reshape(flattenShape(x.shape, axis))];
      };
    },
    (ctx, inputs) => {
      const x = inputs[0];
      if (!x?.shape) return [{ dtype: x?.dtype, shape: [undefined, undefined] }];
      const a = ctx.attrs.int('axis', 1);
      const axis = a < 0 ? a + x.shape.length : a;
      const outer = axis === 0 ? 1 : axis === 1 ? x.shape[0] : dimProduct(x.shape.slice(0, axis));
      return [{ dtype: x.dtype, shape: [outer, dimProduct(x.shape.slice(axis))] }];
    },
  ),
  squeezeOp(1),
  squeezeOp(13),
  unsqueezeOp(1),
  unsqueezeOp(13),
  onnxOp(
    'Shape',
    1,
    (ctx) => {
      const start = ctx.attrs.int('start', 0);
      const end = ctx.attrs.int('end');
      return (inputs) => {
        const x = need(inputs, 0, 'data');
        const [b, e] = shapeRange(x.rank, start, end);
        return [int64([Math.max(e - b, 0)], x.shape.slice(b, e))];
      };
    },
    shapeInfer,
  ),
  onnxOp('Size', 1, () => (inputs) => [int64([], [need(inputs, 0, 'data').size])], () => [{ dtype: 'int64', shape: [] }]),
  onnxOp(
    'Constant',
    1,
    (ctx) => {
      const t = constantValue(ctx);
      return () => [t];
    },
    (ctx) => {
      const t = constantValue(ctx);
      return [{ dtype: t.dtype, shape: t.shape, value: t }];
    },
  ),
  onnxOp(
    'ConstantOfShape',
    9,
    (ctx) => {
      const value = ctx.attrs.tensor('value') ?? Tensor.scalar('float32', 0);
      if (value.size !== 1) ctx.attrs.fail(`attribute "value" must hold one element, got ${formatShape(value.shape)}`);
      return (inputs) => [constantOfShape(need(inputs, 0, 'input'), value)];
    },
    (ctx, inputs) => {
      const dtype = ctx.attrs.tensor('value')?.dtype ?? 'float32';
      const v = inputs[0]?.value;
      const len = inputs[0]?.shape?.[0];
      const dims = inputs[0]?.dims;
      return [{ dtype, shape: v ? readInts(v, 'shape') : dims ? dims.slice() : typeof len === 'number' ? new Array<Dim>(len).fill(undefined) : undefined }];
    },
  ),
  onnxOp(
    'Range',
    11,
    () => (inputs) => [range(need(inputs, 0, 'start'), need(inputs, 1, 'limit'), need(inputs, 2, 'delta'))],
    (_ctx, inputs) => {
      // Range(0, n, 1) — position ids — has n elements, symbolic n included.
      const [start, limit, delta] = inputs;
      const zero = start?.value && start.value.size === 1 && start.value.values()[0] === 0;
      const one = delta?.value && delta.value.size === 1 && delta.value.values()[0] === 1;
      const n = zero && one && limit?.dims?.length === 1 ? limit.dims[0] : undefined;
      return [{ dtype: inputs[0]?.dtype, shape: [n] }];
    },
  ),
];
