// Test-only helpers to write graphs and single-op runs tersely.
import { Tensor, type DType } from '@qint/tensor';
import { createSession } from '../inference-session';
import type { Attribute, Dim, Graph, Model, Node, ValueInfo } from '../ir';

export const A = {
  int: (value: number): Attribute => ({ type: 'int', value }),
  float: (value: number): Attribute => ({ type: 'float', value }),
  str: (value: string): Attribute => ({ type: 'string', value }),
  ints: (value: number[]): Attribute => ({ type: 'ints', value }),
  floats: (value: number[]): Attribute => ({ type: 'floats', value }),
  tensor: (value: Tensor): Attribute => ({ type: 'tensor', value }),
};

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: Record<string, Attribute> = {},
  extra: { name?: string; domain?: string } = {},
): Node {
  return { name: extra.name ?? `${opType}_${outputs[0]}`, opType, domain: extra.domain ?? '', inputs, outputs, attributes };
}

export function vi(name: string, dtype?: DType, shape?: Dim[]): ValueInfo {
  return { name, dtype, shape };
}

export function graph(parts: {
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers?: Record<string, Tensor>;
  valueInfo?: ValueInfo[];
}): Graph {
  return {
    name: 'test',
    nodes: parts.nodes,
    inputs: parts.inputs,
    outputs: parts.outputs,
    initializers: new Map(Object.entries(parts.initializers ?? {})),
    valueInfo: parts.valueInfo ?? [],
  };
}

export function model(g: Graph, opset = 17, msOpset = 1): Model {
  return {
    irVersion: 8,
    opsetImports: { '': opset, 'com.microsoft': msOpset },
    producerName: 'test',
    producerVersion: '0',
    metadata: {},
    graph: g,
  };
}

export const f32 = (shape: number[], values: number[]): Tensor => Tensor.from('float32', shape, values);
export const i64 = (values: number[], shape: number[] = [values.length]): Tensor => Tensor.from('int64', shape, values);

/**
 * Runs one op. Inputs: a Tensor (fed as a graph input), `{ init: Tensor }` (an initializer) or null (omitted).
 */
export function runOp(
  opType: string,
  inputs: (Tensor | { init: Tensor } | null)[],
  attributes: Record<string, Attribute> = {},
  options: { opset?: number; outputs?: number; domain?: string } = {},
): Tensor[] {
  const names = inputs.map((t, i) => (t === null ? '' : `in${i}`));
  const feeds: Record<string, Tensor> = {};
  const initializers: Record<string, Tensor> = {};
  const graphInputs: ValueInfo[] = [];
  inputs.forEach((t, i) => {
    if (t === null) return;
    if (t instanceof Tensor) {
      feeds[names[i]] = t;
      graphInputs.push(vi(names[i]));
    } else initializers[names[i]] = t.init;
  });
  const outs = Array.from({ length: options.outputs ?? 1 }, (_, i) => `out${i}`);
  const g = graph({
    nodes: [node(opType, names, outs, attributes, { domain: options.domain ?? '' })],
    inputs: graphInputs,
    outputs: outs.map((n) => vi(n)),
    initializers,
  });
  const session = createSession(model(g, options.opset ?? 17));
  const result = session.run(feeds);
  return outs.map((n) => result[n]);
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-6, rtol = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol}); actual [${Array.from(actual).slice(0, 16).join(', ')}]`);
    }
  }
}
