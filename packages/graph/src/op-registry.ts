import { ValueError } from '@qint/tensor';
import type { OpDefinition } from './ops/op-definition';

/**
 * Maps `(domain, opType, sinceVersion)` to op implementations. Resolution picks, for a model's opset version `v`,
 * the implementation with the largest `sinceVersion ≤ v` — the same rule ONNX uses to select an operator schema.
 *
 * @example
 * ```ts
 * const registry = createDefaultRegistry();
 * registry.resolve('', 'Softmax', 11)?.sinceVersion; // 1 (flatten-to-2-D semantics)
 * registry.resolve('', 'Softmax', 13)?.sinceVersion; // 13 (single-axis semantics)
 * ```
 */
export class OpRegistry {
  private readonly byKey = new Map<string, OpDefinition[]>();
  private sealed = false;

  /**
   * Adds (or replaces, for the same `sinceVersion`) an implementation.
   * @param def - the op definition
   * @returns this registry, for chaining
   * @throws {@link ValueError} when `sinceVersion` is not a positive integer, or the registry is sealed (the shared
   *   default registry is: `clone()` it to extend)
   */
  register(def: OpDefinition): this {
    if (this.sealed) {
      throw new ValueError(`register: this registry is sealed (the shared default); call .clone() and register ${def.domain || 'ai.onnx'}::${def.opType} there`);
    }
    if (!Number.isInteger(def.sinceVersion) || def.sinceVersion < 1) {
      throw new ValueError(`register: sinceVersion of ${def.domain}::${def.opType} must be a positive integer, got ${def.sinceVersion}`);
    }
    const key = keyOf(def.domain, def.opType);
    const list = (this.byKey.get(key) ?? []).filter((d) => d.sinceVersion !== def.sinceVersion);
    list.push(def);
    list.sort((a, b) => b.sinceVersion - a.sinceVersion);
    this.byKey.set(key, list);
    return this;
  }

  /**
   * The implementation that applies to `opType` of `domain` at opset `version`.
   * @param domain - `''` (or `'ai.onnx'`) for ONNX, `'com.microsoft'`, ...
   * @param opType - the ONNX op type
   * @param version - the model's opset version for `domain`
   * @returns the definition, or undefined when none applies
   */
  resolve(domain: string, opType: string, version: number): OpDefinition | undefined {
    const list = this.byKey.get(keyOf(domain, opType));
    if (!list) return undefined;
    for (const d of list) if (d.sinceVersion <= version) return d;
    return undefined;
  }

  /**
   * Makes the registry read-only; later `register` calls throw. Used for the shared default registry.
   * @returns this registry
   */
  seal(): this {
    this.sealed = true;
    return this;
  }

  /**
   * Every registered definition, sorted by domain, op type and version.
   * @returns the definitions
   */
  list(): OpDefinition[] {
    const all: OpDefinition[] = [];
    for (const l of this.byKey.values()) all.push(...l);
    return all.sort(
      (a, b) => a.domain.localeCompare(b.domain) || a.opType.localeCompare(b.opType) || a.sinceVersion - b.sinceVersion,
    );
  }

  /**
   * A copy (never sealed) that can be extended without changing this registry.
   * @returns the new registry
   */
  clone(): OpRegistry {
    const r = new OpRegistry();
    for (const d of this.list()) r.register(d);
    return r;
  }
}

function keyOf(domain: string, opType: string): string {
  return `${domain === 'ai.onnx' ? '' : domain}::${opType}`;
}
