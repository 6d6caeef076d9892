// Values that are not dense tensors: ONNX sequences (`seq(tensor(float))`, what SplitToSequence, Loop scan state
// and exporters' list handling use) and optionals (`optional(...)`, opset 15+). The executor moves them between
// slots like tensors; only the ops that take them (Sequence*, Optional*, If, Loop, Identity) look inside.
import { Tensor, type DType } from '@qint/tensor';

const SEQUENCE_BRAND = Symbol.for('qint.sequence');
const OPTIONAL_BRAND = Symbol.for('qint.optional');

/**
 * An ONNX sequence: an ordered list of tensors of one element type (possibly empty).
 *
 * @example
 * ```ts
 * const s = new TensorSequence('float32', [Tensor.from('float32', [2], [1, 2])]);
 * s.length; // 1
 * ```
 */
export class TensorSequence {
  /** Element dtype; undefined only for an empty sequence whose type nothing declared. */
  readonly elementType: DType | undefined;
  readonly items: readonly Tensor[];

  /**
   * @param elementType - the dtype every item has (required to type an empty sequence)
   * @param items - the tensors, in order
   */
  constructor(elementType: DType | undefined, items: readonly Tensor[]) {
    this.elementType = elementType ?? items[0]?.dtype;
    this.items = Object.freeze(items.slice());
  }

  /** Number of tensors. */
  get length(): number {
    return this.items.length;
  }

  /** `true` for sequences made by any copy of @qint/graph. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SEQUENCE_BRAND] === true;
  }
}
Object.defineProperty(TensorSequence.prototype, SEQUENCE_BRAND, { value: true });

/**
 * An ONNX optional: holds a tensor or a sequence, or nothing.
 *
 * @example
 * ```ts
 * const none = new OptionalValue(undefined);
 * none.hasElement; // false
 * ```
 */
export class OptionalValue {
  readonly value: Tensor | TensorSequence | undefined;

  /** @param value - the element, or undefined for an empty optional */
  constructor(value: Tensor | TensorSequence | undefined) {
    this.value = value;
  }

  /** Whether the optional holds a value. */
  get hasElement(): boolean {
    return this.value !== undefined;
  }

  /** `true` for optionals made by any copy of @qint/graph. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[OPTIONAL_BRAND] === true;
  }
}
Object.defineProperty(OptionalValue.prototype, OPTIONAL_BRAND, { value: true });

/** Any value the executor holds in a slot. */
export type Value = Tensor | TensorSequence | OptionalValue;

/**
 * Whether `v` is a dense tensor (not a sequence or optional).
 * @param v - a slot value
 * @returns true for a {@link Tensor}
 */
export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

/** What kind of value a slot holds, for messages. */
export function kindOf(v: Value | undefined): string {
  if (v === undefined) return 'nothing';
  if (v instanceof TensorSequence) return `a sequence of ${v.length} ${v.elementType ?? '?'} tensor(s)`;
  if (v instanceof OptionalValue) return v.hasElement ? 'an optional with a value' : 'an empty optional';
  return `a ${v.dtype} tensor`;
}
