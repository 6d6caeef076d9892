// The transformer ops, collected for the default registry: ai.onnx Attention, RotaryEmbedding, RMSNormalization and
// the com.microsoft fused ops that onnxruntime's transformer optimizer emits.
import { gatherBlockQuantizedOps } from './gather-block-quantized-op';
import { msActivationOps } from './ms-activation-ops';
import { msAttentionOps } from './ms-attention-ops';
import { msFusedMatMulOps } from './ms-fused-mat-mul-op';
import { normalizationOps } from './normalization-ops';
import { msLayerNormOps } from './ms-layer-norm-ops';
import type { OpDefinition } from './op-definition';
import { onnxAttentionOps } from './onnx-attention-op';
import { rmsNormalizationOps } from './rms-normalization-ops';
import { rotaryEmbeddingOps } from './rotary-embedding-ops';

/**
 * LayerNormalization before opset 17: onnxruntime registers it in the default domain from version 1 (a contrib op
 * until ONNX adopted it) and its optimizer writes it into opset-14 models; the semantics are those of opset 17.
 */
const layerNormalizationBefore17: readonly OpDefinition[] = normalizationOps
  .filter((d) => d.domain === '' && d.opType === 'LayerNormalization' && d.sinceVersion === 17)
  .map((d) => ({ ...d, sinceVersion: 1 }));

/** Every transformer op definition. */
export const transformerOps: readonly OpDefinition[] = [
  ...layerNormalizationBefore17,
  ...onnxAttentionOps,
  ...rotaryEmbeddingOps,
  ...rmsNormalizationOps,
  ...msActivationOps,
  ...msLayerNormOps,
  ...msAttentionOps,
  ...gatherBlockQuantizedOps,
  ...msFusedMatMulOps,
];
