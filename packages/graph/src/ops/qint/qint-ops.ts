import type { OpDefinition } from '../op-definition';
import { dynamicConvOp } from './dynamic-conv-op';
import { dynamicLinearOp } from './dynamic-linear-op';

/** The ops of the `ai.qint` domain ({@link QINT_DOMAIN}) that `@qint/dynamic` emits. */
export const qintOps: readonly OpDefinition[] = [dynamicLinearOp, dynamicConvOp];
