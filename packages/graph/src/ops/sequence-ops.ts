// Sequence and Optional ops (ONNX opsets 11 and 15+): lists of tensors as Loop/Scan bodies and exporters build them,
// and optional values. They move tensors, never change their data (ConcatFromSequence and SplitToSequence copy).
import { DTypeError, ShapeError, Tensor, ValueError, formatShape, normalizeAxis } from '@qint/tensor';
import { GraphError } from '../graph-error';
import { OptionalValue, TensorSequence, kindOf, type Value } from '../values';
import { concat, split } from './data-movement-ops';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition, OpKernel } from './op-definition';
import { stack } from './control-flow-ops';
import { dtypeFromOnnx, readInts, readScalar } from './tensor-utils';

function seqArg(args: readonly (Tensor | undefined)[], i: number, what: string): TensorSequence {
  const v = args[i] as Value | undefined;
  if (!(v instanceof TensorSequence)) throw new DTypeError(`input ${i} (${what}) must be a sequence, got ${kindOf(v)}`);
  return v;
}

function tensorArg(args: readonly (Tensor | undefined)[], i: number, what: string): Tensor {
  const v = args[i] as Value | undefined;
  if (!(v instanceof Tensor)) throw new DTypeError(`input ${i} (${what}) must be a tensor, got ${kindOf(v)}`);
  return v;
}

/** A position input: an int32/int64 scalar, negative counting from the back, within `[-n, n + extra - 1]`. */
function position(t: Tensor, n: number, extra: number, what: string): number {
  if (t.dtype !== 'int64' && t.dtype !== 'int32') throw new DTypeError(`${what} must be int32 or int64, got ${t.dtype}`);
  const p = readScalar(t, what);
  if (p < -n || p > n - 1 + extra) throw new ValueError(`${what} ${p} is out of range for a sequence of ${n} tensor(s)`);
  return p < 0 ? p + n : p;
}

const out = (v: Value): Tensor[] => [v as unknown as Tensor];

function checkElement(seq: TensorSequence, t: Tensor, what: string): void {
  if (seq.elementType !== undefined && t.dtype !== seq.elementType) {
    throw new DTypeError(`${what} is ${t.dtype} but the sequence holds ${seq.elementType}`);
  }
}

function sequenceEmpty(ctx: OpBuildContext): OpKernel {
  const code = ctx.attrs.int('dtype', 1);
  const dtype = dtypeFromOnnx(code, `${ctx.label} dtype`);
  return () => out(new TensorSequence(dtype, []));
}

function sequenceConstruct(): OpKernel {
  return (args) => {
    const items = args.map((_, i) => tensorArg(args, i, `tensor ${i}`));
    if (items.length === 0) throw new GraphError('needs at least one input');
    items.forEach((t, i) => {
      if (t.dtype !== items[0].dtype) throw new DTypeError(`input ${i} is ${t.dtype} but input 0 is ${items[0].dtype}`);
    });
    return out(new TensorSequence(items[0].dtype, items));
  };
}

function sequenceInsert(): OpKernel {
  return (args) => {
    const seq = seqArg(args, 0, 'input_sequence');
    const t = tensorArg(args, 1, 'tensor');
    checkElement(seq, t, 'tensor');
    const at = args[2] ? position(args[2], seq.length, 1, 'position') : seq.length;
    const items = seq.items.slice();
    items.splice(at, 0, t);
    return out(new TensorSequence(seq.elementType ?? t.dtype, items));
  };
}

function sequenceAt(): OpKernel {
  return (args) => {
    const seq = seqArg(args, 0, 'input_sequence');
    const at = position(tensorArg(args, 1, 'position'), seq.length, 0, 'position');
    return [seq.items[at]];
  };
}

function sequenceErase(): OpKernel {
  return (args) => {
    const seq = seqArg(args, 0, 'input_sequence');
    if (seq.length === 0) throw new ValueError('cannot erase from an empty sequence');
    const at = args[1] ? position(args[1], seq.length, 0, 'position') : seq.length - 1;
    const items = seq.items.slice();
    items.splice(at, 1);
    return out(new TensorSequence(seq.elementType, items));
  };
}

function sequenceLength(): OpKernel {
  return (args) => [Tensor.from('int64', [], BigInt64Array.of(BigInt(seqArg(args, 0, 'input_sequence').length)))];
}

function concatFromSequence(ctx: OpBuildContext): OpKernel {
  const axisAttr = ctx.attrs.int('axis');
  if (axisAttr === undefined) throw new GraphError(`${ctx.label}: attribute "axis" is required`, { node: ctx.node.name });
  const newAxis = ctx.attrs.int('new_axis', 0) === 1;
  return (args) => {
    const seq = seqArg(args, 0, 'input_sequence');
    if (seq.length === 0) throw new ValueError('input_sequence is empty');
    const rank = seq.items[0].rank;
    if (newAxis) return [stack(seq.items, normalizeAxis(axisAttr, rank + 1, 'axis'), 'ConcatFromSequence')];
    return [concat(seq.items, axisAttr)];
  };
}

function splitToSequence(ctx: OpBuildContext): OpKernel {
  const axisAttr = ctx.attrs.int('axis', 0);
  const keepDims = ctx.attrs.int('keepdims', 1) === 1;
  return (args) => {
    const x = tensorArg(args, 0, 'input');
    const axis = normalizeAxis(axisAttr, x.rank, 'axis');
    const dim = x.shape[axis];
    const s = args[1];
    let sizes: number[];
    if (s === undefined) sizes = new Array<number>(dim).fill(1);
    else if (s.rank === 0) {
      const chunk = readScalar(s, 'split');
      if (!(chunk > 0)) throw new ValueError(`split ${chunk} must be positive`);
      sizes = [];
      for (let left = dim; left > 0; left -= chunk) sizes.push(Math.min(chunk, left));
    } else {
      sizes = readInts(s, 'split');
      if (sizes.some((v) => v < 0) || sizes.reduce((a, b) => a + b, 0) !== dim) {
        throw new ShapeError(`split [${sizes.join(', ')}] must be non-negative and sum to ${dim}, the size of axis ${axis} of ${formatShape(x.shape)}`);
      }
    }
    let parts = sizes.length === 0 ? [] : split(x, axis, sizes);
    if (s === undefined && !keepDims) parts = parts.map((p) => p.reshape(p.shape.filter((_, d) => d !== axis)));
    return out(new TensorSequence(x.dtype, parts));
  };
}

/** Optional: wraps its input (none: an empty optional; the `type` attribute only types that empty one). */
function optional(): OpKernel {
  return (args) => {
    const v = args[0] as Value | undefined;
    if (v instanceof OptionalValue) throw new DTypeError('input must be a tensor or a sequence, got an optional');
    return out(new OptionalValue(v));
  };
}

function optionalHasElement(): OpKernel {
  return (args) => {
    const v = args[0] as Value | undefined;
    const has = v === undefined ? false : v instanceof OptionalValue ? v.hasElement : true;
    return [Tensor.from('bool', [], [has ? 1 : 0])];
  };
}

function optionalGetElement(): OpKernel {
  return (args) => {
    const v = args[0] as Value | undefined;
    if (v === undefined) throw new GraphError('required input 0 (input) is missing');
    if (!(v instanceof OptionalValue)) return out(v);
    if (v.value === undefined) throw new ValueError('the optional is empty');
    return out(v.value);
  };
}

/** SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceAt, SequenceErase, SequenceLength, ConcatFromSequence, SplitToSequence, Optional, OptionalHasElement, OptionalGetElement. */
export const sequenceOps: readonly OpDefinition[] = [
  onnxOp('SequenceEmpty', 11, sequenceEmpty),
  onnxOp('SequenceConstruct', 11, sequenceConstruct),
  onnxOp('SequenceInsert', 11, sequenceInsert),
  onnxOp('SequenceAt', 11, sequenceAt),
  onnxOp('SequenceErase', 11, sequenceErase),
  onnxOp('SequenceLength', 11, sequenceLength),
  onnxOp('ConcatFromSequence', 11, concatFromSequence),
  onnxOp('SplitToSequence', 11, splitToSequence),
  onnxOp('Optional', 15, optional),
  onnxOp('OptionalHasElement', 15, optionalHasElement),
  onnxOp('OptionalGetElement', 15, optionalGetElement),
];
