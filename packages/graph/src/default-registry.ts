import { OpRegistry } from './op-registry';
import { binaryOps } from './ops/binary-ops';
import { contribOps } from './ops/contrib-ops';
import { dataMovementOps } from './ops/data-movement-ops';
import { shapeOps } from './ops/shape-ops';
import { indexOps } from './ops/index-ops';
import { linearOps } from './ops/linear-ops';
import { normalizationOps } from './ops/normalization-ops';
import { poolOps } from './ops/pool-ops';
import { qintOps } from './ops/qint/qint-ops';
import { quantizedOps } from './ops/quantized-ops';
import { reduceOps } from './ops/reduce-ops';
import { resizeOps } from './ops/resize-ops';
import { unaryOps } from './ops/unary-ops';
import { controlFlowOps } from './ops/control-flow-ops';
import { sequenceOps } from './ops/sequence-ops';

let shared: OpRegistry | undefined;

/**
 * A registry with every op qint's executor implements (see the README's op table). The returned registry is shared
 * and sealed (`register` throws); call `.clone()` to extend it.
 *
 * @returns the default {@link OpRegistry}
 * @example
 * ```ts
 * const registry = createDefaultRegistry().clone().register(myCustomOp);
 * const session = createSession(model, { registry });
 * ```
 */
export function createDefaultRegistry(): OpRegistry {
  if (shared) return shared;
  const r = new OpRegistry();
  for (const list of [binaryOps, unaryOps, shapeOps, dataMovementOps, reduceOps, indexOps, normalizationOps, poolOps, resizeOps, linearOps, quantizedOps, contribOps, qintOps, controlFlowOps, sequenceOps]) for (const def of list) r.register(def);
  shared = r.seal();
  return r;
}
