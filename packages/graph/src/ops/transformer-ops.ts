// The transformer ops, collected for the default registry: ai.onnx Attention, RotaryEmbedding, RMSNormalization and
// the com.microsoft fused ops that onnxruntime's transformer optimizer emits.
import { gatherBlockQuantizedOps } from './gather-block-quantized-op';
import { msActivationOps } from './ms-activation-ops';
import { msAttentionOps } from './ms-attention-ops';
import { msLayerNormOps } from './ms-layer-norm-ops';
import type { OpDefinition } from './op-definition';
import { onnxAttentionOps } from './onnx-attention-op';
import { rmsNormalizationOps } from './rms-normalization-ops';
import { rotaryEmbeddingOps } from './rotary-embedding-ops';

/** Every transformer op definition. */
export const transformerOps: readonly OpDefinition[] = [
  ...onnxAttentionOps,
  ...rotaryEmbeddingOps,
  ...rmsNormalizationOps,
  ...msActivationOps,
  ...msLayerNormOps,
  ...msAttentionOps,
  ...gatherBlockQuantizedOps,
];
