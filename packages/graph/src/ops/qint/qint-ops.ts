import type { OpDefinition } from '../op-definition';
import { dynamicConvOp } from './dynamic-conv-op';
import { dynamicLinearOp } from './dynamic-linear-op';
import { fusedDynamicAttentionOp } from './fused-dynamic-attention-op';
import { fusedDynamicMatMulOp } from './fused-dynamic-mat-mul-op';
import { fusedGeluOp } from './fused-gelu-op';
import { fusedSliceReshapeTransposeOp } from './fused-slice-reshape-transpose-op';

/**
 * The ops of the `ai.qint` domain ({@link QINT_DOMAIN}): those `@qint/dynamic` emits, and those the executor's
 * load-time fusion creates (`FusedDynamicMatMul`, `FusedDynamicAttention`, `FusedGelu`, `FusedSliceReshapeTranspose`;
 * never serialized).
 */
export const qintOps: readonly OpDefinition[] = [
  dynamicLinearOp,
  dynamicConvOp,
  fusedDynamicMatMulOp,
  fusedDynamicAttentionOp,
  fusedGeluOp,
  fusedSliceReshapeTransposeOp,
];
