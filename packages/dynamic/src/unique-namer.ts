import type { Graph } from '@qint/graph';

/**
 * A generator of value/node names not yet in `used` (`base`, then `base_1`, `base_2`, …); each name it returns is
 * added to `used`, so rewrites never collide with the graph's names or with each other.
 *
 * @param used - every name already taken (initializers, inputs, node outputs); extended in place
 * @returns the generator
 */
function uniqueNamer(used: Set<string>): (base: string) => string {
  return (base) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}

/**
 * {@link uniqueNamer} over every name a graph already uses: its initializers, inputs and node outputs.
 *
 * @param graph - the graph being rewritten
 * @returns the generator
 */
export function graphNamer(graph: Graph): (base: string) => string {
  const used = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((v) => v.name)]);
  for (const n of graph.nodes) for (const o of n.outputs) used.add(o);
  return uniqueNamer(used);
}
