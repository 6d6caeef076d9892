import { DTypeError, ShapeError, Tensor, formatShape, validateShape } from '@qint/tensor';
import type { Node } from '../../ir';
import { unpack3Bit } from './pack-3bit';

/**
 * The declared shape of an ai.qint::DynamicConv weight: its `weight_shape` attribute (required for 3-bit weights, which
 * are stored as a flat uint8 stream), else the weight tensor's own shape.
 *
 * @param node - the DynamicConv node
 * @param w - its weight initializer
 * @returns `[M, C/group, k…]`
 */
export function dynamicConvWeightShape(node: Node, w: { readonly shape: readonly number[] }): readonly number[] {
  const attr = node.attributes.weight_shape;
  return attr && attr.type === 'ints' ? attr.value : w.shape;
}

/**
 * The int8 weight `[M, C/group, k…]` of an ai.qint::DynamicConv, from any of its storages: int8, int4 or int2 tensors
 * (widened), or a 3-bit stream (uint8, 8 values per 3 bytes) whose shape is the node's `weight_shape` attribute.
 *
 * @param node - the DynamicConv node (for `weight_shape` and messages)
 * @param w - the weight initializer
 * @returns an int8 tensor of the weight's values
 * @throws {@link DTypeError} for another storage type; {@link ShapeError} when a 3-bit stream has no valid `weight_shape`
 *   or is too short for it
 */
export function dynamicConvWeight(node: Node, w: Tensor): Tensor<'int8'> {
  if (w.dtype === 'int8') return w as Tensor<'int8'>;
  if (w.dtype === 'int4' || w.dtype === 'int2') return Tensor.from('int8', w.shape, Int8Array.from(w.values()));
  if (w.dtype === 'uint8') {
    const shape = dynamicConvWeightShape(node, w);
    if (shape === w.shape || shape.length < 3) {
      throw new ShapeError(`DynamicConv "${node.name}": a 3-bit weight stream needs a weight_shape attribute [M, C/group, k…], got ${formatShape(shape)}`);
    }
    return Tensor.from('int8', shape, unpack3Bit(w.data as Uint8Array, validateShape(shape, 'weight_shape')));
  }
  throw new DTypeError(`DynamicConv "${node.name}": "W" must be int8, int4, int2 or a uint8 3-bit stream, got ${w.dtype}`);
}
