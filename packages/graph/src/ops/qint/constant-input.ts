import type { Tensor } from '@qint/tensor';
import { GraphError } from '../../graph-error';
import type { OpBuildContext } from '../op-definition';

/**
 * Input `i` of an ai.qint node as the initializer it must be (weights, scales and zero points are read once at load).
 *
 * @returns the tensor, or undefined when an optional input is omitted
 * @throws {@link GraphError} when a required input is omitted, or the input is a run-time value
 */
export function constantInput(ctx: OpBuildContext, i: number, name: string, optional: boolean): Tensor | undefined {
  if (ctx.node.inputs[i] === undefined || ctx.node.inputs[i] === '') {
    if (optional) return undefined;
    throw new GraphError(`${ctx.label}: input ${i} "${name}" is required`, { node: ctx.node.name });
  }
  const t = ctx.constant(i);
  if (!t) {
    throw new GraphError(`${ctx.label}: input ${i} "${name}" (${ctx.node.inputs[i]}) must be an initializer (constant), not a run-time value`, {
      node: ctx.node.name,
    });
  }
  return t;
}
