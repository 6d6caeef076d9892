import type { OpBuildContext, OpDefinition, OpKernel, ShapeInferrer } from './op-definition';

/** Shorthand for an ai.onnx op definition. */
export function onnxOp(opType: string, sinceVersion: number, build: (ctx: OpBuildContext) => OpKernel, infer?: ShapeInferrer): OpDefinition {
  return infer ? { domain: '', opType, sinceVersion, build, infer } : { domain: '', opType, sinceVersion, build };
}

/** Shorthand for a com.microsoft contrib op definition. */
export function msOp(opType: string, sinceVersion: number, build: (ctx: OpBuildContext) => OpKernel, infer?: ShapeInferrer): OpDefinition {
  return infer
    ? { domain: 'com.microsoft', opType, sinceVersion, build, infer }
    : { domain: 'com.microsoft', opType, sinceVersion, build };
}
