import type { Node } from './ir';

/**
 * How messages name a node: `Op "name"`, or `Op (node #index)` when it has no name; ops outside ai.onnx carry their
 * domain (`com.microsoft::Attention "a"`).
 *
 * @param node - the node
 * @param index - its position in its graph
 * @returns the label
 * @example
 * ```ts
 * nodeLabel({ name: '', opType: 'Relu', domain: '', inputs: [], outputs: [], attributes: {} }, 3); // 'Relu (node #3)'
 * ```
 */
export function nodeLabel(node: Node, index: number): string {
  const domain = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}::` : '';
  return node.name ? `${domain}${node.opType} "${node.name}"` : `${domain}${node.opType} (node #${index})`;
}
