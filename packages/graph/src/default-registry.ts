import { ValueError } from '@qint/tensor';
import { OpRegistry } from './op-registry';
import { activationOps } from './ops/activation-ops';
import { binaryOps } from './ops/binary-ops';
import { bitwiseOps } from './ops/bitwise-ops';
import { castOps } from './ops/cast-op';
import { contribOps } from './ops/contrib-ops';
import { controlFlowOps } from './ops/control-flow-ops';
import { dataMovementOps } from './ops/data-movement-ops';
import { detectionOps } from './ops/detection-ops';
import { indexOps } from './ops/index-ops';
import { linalgOps } from './ops/linalg-ops';
import { linearOps } from './ops/linear-ops';
import { lossOps } from './ops/loss-ops';
import { lpPoolOps } from './ops/lp-pool-ops';
import { normalizationExtraOps } from './ops/normalization-extra-ops';
import { normalizationOps } from './ops/normalization-ops';
import { optimizerOps } from './ops/optimizer-ops';
import { mlOps } from './ops/ml-ops';
import { tfidfVectorizerOps } from './ops/tfidf-vectorizer-op';
import { poolOps } from './ops/pool-ops';
import { qintOps } from './ops/qint/qint-ops';
import { quantizedOps } from './ops/quantized-ops';
import { randomOps } from './ops/random-ops';
import { dynamicRecurrentOps } from './ops/recurrent/dynamic-recurrent-ops';
import { recurrentOps } from './ops/recurrent/recurrent-ops';
import { reduceOps } from './ops/reduce-ops';
import { resizeOps } from './ops/resize-ops';
import { samplingOps } from './ops/sampling-ops';
import { scatterOps } from './ops/scatter-ops';
import { selectionOps } from './ops/selection-ops';
import { sequenceOps } from './ops/sequence-ops';
import { shapeOps } from './ops/shape-ops';
import { signalOps } from './ops/signal-ops';
import { tensorBuildOps } from './ops/tensor-build-ops';
import { transformerOps } from './ops/transformer-ops';
import { trigOps } from './ops/trig-ops';
import { unaryOps } from './ops/unary-ops';

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
  const lists = [
    binaryOps,
    unaryOps,
    shapeOps,
    dataMovementOps,
    reduceOps,
    indexOps,
    normalizationOps,
    poolOps,
    resizeOps,
    linearOps,
    quantizedOps,
    contribOps,
    qintOps,
    castOps,
    recurrentOps,
    dynamicRecurrentOps,
    bitwiseOps,
    scatterOps,
    selectionOps,
    tensorBuildOps,
    linalgOps,
    samplingOps,
    detectionOps,
    activationOps,
    lossOps,
    lpPoolOps,
    normalizationExtraOps,
    randomOps,
    signalOps,
    optimizerOps,
    mlOps,
    tfidfVectorizerOps,
    transformerOps,
    trigOps,
    controlFlowOps,
    sequenceOps,
  ];
  // register() replaces an op of the same version (how users override one in a clone): here two lists defining
  // the same op would silently shadow one another, so that is refused.
  const seen = new Set<string>();
  for (const list of lists) {
    for (const def of list) {
      const key = `${def.domain || 'ai.onnx'}::${def.opType}@${def.sinceVersion}`;
      if (seen.has(key)) throw new ValueError(`createDefaultRegistry: ${key} is defined twice`);
      seen.add(key);
      r.register(def);
    }
  }
  shared = r.seal();
  return r;
}
