// The ai.qint ops (emitted by @qint/dynamic) and their storage helpers.
export { QINT_DOMAIN } from './qint-domain';
export { pack3Bit, unpack3Bit } from './pack-3bit';
export { dynamicLinearOp } from './dynamic-linear-op';
export { dynamicConvOp } from './dynamic-conv-op';
export { fusedDynamicAttentionOp } from './fused-dynamic-attention-op';
export { fusedDynamicMatMulOp } from './fused-dynamic-mat-mul-op';
export { fusedGeluOp } from './fused-gelu-op';
export { fusedSliceReshapeTransposeOp } from './fused-slice-reshape-transpose-op';
export { dynamicConvWeight, dynamicConvWeightShape } from './dynamic-conv-weight';
export { qintOps } from './qint-ops';
