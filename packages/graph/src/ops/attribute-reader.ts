import type { Tensor } from '@qint/tensor';
import type { Attribute, Node } from '../ir';
import { GraphError } from '../graph-error';

/**
 * Typed access to a node's attributes with defaults; a wrong attribute type is a {@link GraphError} naming the node.
 *
 * @example
 * ```ts
 * const a = new AttributeReader(node, 'Conv "c1"');
 * const group = a.int('group', 1);
 * ```
 */
export class AttributeReader {
  /**
   * @param node - the node whose attributes are read
   * @param label - the node label used in messages
   */
  constructor(
    readonly node: Node,
    readonly label: string,
  ) {}

  /** Whether the attribute is present. */
  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.node.attributes, name);
  }

  private get(name: string, type: Attribute['type']): Attribute | undefined {
    if (!this.has(name)) return undefined;
    const a = this.node.attributes[name];
    if (a.type !== type) {
      throw new GraphError(`${this.label}: attribute "${name}" must be of type ${type}, got ${a.type}`, { node: this.node.name });
    }
    return a;
  }

  /** An `int` attribute. */
  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    const a = this.get(name, 'int');
    return a ? (a.value as number) : fallback;
  }

  /** A `float` attribute. */
  float(name: string, fallback: number): number;
  float(name: string): number | undefined;
  float(name: string, fallback?: number): number | undefined {
    const a = this.get(name, 'float');
    return a ? (a.value as number) : fallback;
  }

  /** A `string` attribute. */
  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const a = this.get(name, 'string');
    return a ? (a.value as string) : fallback;
  }

  /** An `ints` attribute. */
  ints(name: string, fallback: readonly number[]): readonly number[];
  ints(name: string): readonly number[] | undefined;
  ints(name: string, fallback?: readonly number[]): readonly number[] | undefined {
    const a = this.get(name, 'ints');
    return a ? (a.value as readonly number[]) : fallback;
  }

  /** A `floats` attribute. */
  floats(name: string, fallback: readonly number[]): readonly number[];
  floats(name: string): readonly number[] | undefined;
  floats(name: string, fallback?: readonly number[]): readonly number[] | undefined {
    const a = this.get(name, 'floats');
    return a ? (a.value as readonly number[]) : fallback;
  }

  /** A `tensor` attribute. */
  tensor(name: string): Tensor | undefined {
    const a = this.get(name, 'tensor');
    return a ? (a.value as Tensor) : undefined;
  }

  /** Fails with a {@link GraphError} naming the node. */
  fail(message: string): never {
    throw new GraphError(`${this.label}: ${message}`, { node: this.node.name });
  }
}
