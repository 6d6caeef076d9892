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

  /**
   * Whether the attribute is present.
   * @param name - attribute name
   * @returns true when the node carries it
   */
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

  /**
   * An `int` attribute.
   * @param name - attribute name
   * @param fallback - value when absent
   * @returns the value, the fallback, or undefined
   * @throws {@link GraphError} when the attribute has another type
   */
  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    const a = this.get(name, 'int');
    return a ? (a.value as number) : fallback;
  }

  /**
   * A `float` attribute.
   * @param name - attribute name
   * @param fallback - value when absent
   * @returns the value, the fallback, or undefined
   * @throws {@link GraphError} when the attribute has another type
   */
  float(name: string, fallback: number): number;
  float(name: string): number | undefined;
  float(name: string, fallback?: number): number | undefined {
    const a = this.get(name, 'float');
    return a ? (a.value as number) : fallback;
  }

  /**
   * A `string` attribute.
   * @param name - attribute name
   * @param fallback - value when absent
   * @returns the value, the fallback, or undefined
   * @throws {@link GraphError} when the attribute has another type
   */
  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const a = this.get(name, 'string');
    return a ? (a.value as string) : fallback;
  }

  /**
   * An `ints` attribute.
   * @param name - attribute name
   * @param fallback - value when absent
   * @returns the value, the fallback, or undefined
   * @throws {@link GraphError} when the attribute has another type
   */
  ints(name: string, fallback: readonly number[]): readonly number[];
  ints(name: string): readonly number[] | undefined;
  ints(name: string, fallback?: readonly number[]): readonly number[] | undefined {
    const a = this.get(name, 'ints');
    return a ? (a.value as readonly number[]) : fallback;
  }

  /**
   * A `strings` attribute.
   * @param name - attribute name
   * @param fallback - value when absent
   * @returns the value, the fallback, or undefined
   * @throws {@link GraphError} when the attribute has another type
   */
  strings(name: string, fallback: readonly string[]): readonly string[];
  strings(name: string): readonly string[] | undefined;
  strings(name: string, fallback?: readonly string[]): readonly string[] | undefined {
    const a = this.get(name, 'strings');
    return a ? (a.value as readonly string[]) : fallback;
  }

  /**
   * A `floats` attribute.
   * @param name - attribute name
   * @param fallback - value when absent
   * @returns the value, the fallback, or undefined
   * @throws {@link GraphError} when the attribute has another type
   */
  floats(name: string, fallback: readonly number[]): readonly number[];
  floats(name: string): readonly number[] | undefined;
  floats(name: string, fallback?: readonly number[]): readonly number[] | undefined {
    const a = this.get(name, 'floats');
    return a ? (a.value as readonly number[]) : fallback;
  }

  /**
   * A `tensor` attribute.
   * @param name - attribute name
   * @returns the tensor, or undefined when absent
   * @throws {@link GraphError} when the attribute has another type
   */
  tensor(name: string): Tensor | undefined {
    const a = this.get(name, 'tensor');
    return a ? (a.value as Tensor) : undefined;
  }

  /**
   * Fails with a {@link GraphError} naming the node.
   * @param message - what is wrong with which attribute
   * @throws {@link GraphError} always
   */
  fail(message: string): never {
    throw new GraphError(`${this.label}: ${message}`, { node: this.node.name });
  }
}
