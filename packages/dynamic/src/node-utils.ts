import type { Attribute, Node } from '@qint/graph';

/** Whether a node is in the default ONNX domain (`''` or `'ai.onnx'`). */
export const isOnnx = (n: Node): boolean => n.domain === '' || n.domain === 'ai.onnx';

/** An `int` attribute. */
export const intAttr = (value: number): Attribute => ({ type: 'int', value });

/** A numeric (int or float) attribute of a node, or `fallback` when it is absent. */
export const numAttr = (n: Node, key: string, fallback: number): number => {
  const a = n.attributes[key];
  return a && (a.type === 'int' || a.type === 'float') ? a.value : fallback;
};

const CONV_ATTRIBUTES = ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'];

/** The geometry attributes of a Conv (auto_pad, dilations, group, kernel_shape, pads, strides) that it has, for the node replacing it. */
export function convAttributes(node: Node): Record<string, Attribute> {
  const attributes: Record<string, Attribute> = {};
  for (const key of CONV_ATTRIBUTES) if (node.attributes[key]) attributes[key] = node.attributes[key];
  return attributes;
}
