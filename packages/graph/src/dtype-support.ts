// Which ops run on the dtypes added for the ONNX suite (float64, uint32, uint64, float8, float4): checked at load,
// where a node's input types are known, so that an unsupported combination is refused with the other unsupported ops
// (UnsupportedOpError) instead of failing, or worse computing in float32, at run time. float16 and bfloat16 need no
// list: every op runs them through its float32 implementation (low-precision-floats.ts).
import { isMinifloatDType, type DType } from '@qint/tensor';

/** Ops that move, view or reinterpret elements without arithmetic: any byte-or-wider storage. */
const MOVE_OPS = ['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Slice', 'Concat', 'Gather', 'Split', 'Expand', 'Tile', 'Shape', 'Size', 'Cast', 'CastLike', 'Where', 'Dropout'];
/** Ops that view or copy packed sub-byte storage correctly (float4e2m1). */
const PACKED_MOVE_OPS = ['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Slice', 'Shape', 'Size', 'Cast', 'CastLike'];
/** Elementwise and reduction ops whose non-float32 path computes in double (Float64Array storage for float64). */
const DOUBLE_OPS = [
  'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Erf', 'Gelu', 'Exp', 'Log', 'Sqrt', 'Reciprocal',
  'Floor', 'Ceil', 'Round', 'Sin', 'Cos', 'Softplus', 'Softsign', 'Mish', 'Neg', 'Abs', 'Sign', 'IsNaN', 'Clip',
  'Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mean', 'Pow', 'Mod', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual',
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp',
  'MatMul', 'CumSum', 'Range', 'Trilu',
  // math, normalization, loss, signal and random ops computing in double (trig-ops.ts … random-ops.ts)
  'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Celu', 'Shrink', 'Swish', 'ThresholdedRelu',
  'LRN', 'LpNormalization', 'MeanVarianceNormalization', 'GroupNormalization', 'LpPool', 'NegativeLogLikelihoodLoss',
  'SoftmaxCrossEntropyLoss', 'DFT', 'STFT', 'Bernoulli', 'RandomUniformLike', 'RandomNormalLike', 'Softmax', 'LogSoftmax', 'Hardmax',
];
/** Integer ops exact on uint32 (wrapping in Uint32Array) and uint64 (bigint arithmetic). */
const UNSIGNED_OPS = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mod', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'CumSum', 'Trilu'];
/** Index, selection and tensor-building ops (scatter-ops.ts, selection-ops.ts, tensor-build-ops.ts): they move stored elements or compare values, any storage. */
const INDEX_OPS = [
  'GatherND', 'ScatterND', 'ScatterElements', 'Scatter', 'TensorScatter', 'TopK', 'Unique', 'NonZero', 'Compress', 'OneHot', 'EyeLike',
  'ReverseSequence', 'CenterCropPad', 'MaxUnpool', 'BitCast', 'CumProd',
];
/** Float ops of linalg-ops.ts, sampling-ops.ts, detection-ops.ts and bitwise-ops.ts that compute in double (float64 stays double). */
const DOUBLE_SPATIAL_OPS = ['Einsum', 'Det', 'GridSample', 'AffineGrid', 'Col2Im', 'RoiAlign', 'DeformConv', 'IsInf', 'NonMaxSuppression'];
/** Integer bit ops (bitwise-ops.ts): uint32 in numbers, uint64 in bigints. */
const BIT_OPS = ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'BitwiseNot', 'BitShift'];
/** Ops that take float8/float4 values. */
const MINIFLOAT_OPS = ['QuantizeLinear', 'DequantizeLinear'];

const SUPPORT: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['float64', new Set([...MOVE_OPS, ...DOUBLE_OPS, ...INDEX_OPS, ...DOUBLE_SPATIAL_OPS])],
  ['uint32', new Set([...MOVE_OPS, ...UNSIGNED_OPS, ...INDEX_OPS, ...BIT_OPS])],
  ['uint64', new Set([...MOVE_OPS, ...UNSIGNED_OPS, ...INDEX_OPS, ...BIT_OPS])],
  ['minifloat', new Set([...MOVE_OPS, ...MINIFLOAT_OPS])],
  ['float4e2m1', new Set([...PACKED_MOVE_OPS, ...MINIFLOAT_OPS])],
]);

/** ai.onnx.ml ops that compute float64 inputs in double (ml-ops.ts). */
const ML_DOUBLE_OPS = new Set(['ai.onnx.ml::Binarizer', 'ai.onnx.ml::ArrayFeatureExtractor', 'ai.onnx.ml::TreeEnsemble']);

function supportKey(dtype: DType): string | undefined {
  if (dtype === 'float4e2m1') return 'float4e2m1';
  if (isMinifloatDType(dtype)) return 'minifloat';
  return SUPPORT.has(dtype) ? dtype : undefined;
}

/**
 * Why a node cannot run on its input dtypes, or undefined when it can (or when qint cannot tell at load).
 *
 * @param domain - the node's domain (`''` for ai.onnx)
 * @param opType - the node's op type
 * @param inputDtypes - the dtype of each input when known at load
 * @returns a reason for the unsupported-op report, or undefined
 * @example
 * ```ts
 * unsupportedDtypeReason('', 'Conv', ['float64', 'float64']); // 'float64 inputs are not supported'
 * ```
 */
export function unsupportedDtypeReason(domain: string, opType: string, inputDtypes: readonly (DType | undefined)[]): string | undefined {
  for (let i = 0; i < inputDtypes.length; i++) {
    const dtype = inputDtypes[i];
    if (dtype === undefined) continue;
    // Pow's exponent may have any numeric type: it is read as numbers (exact for these types' exponent ranges).
    if (opType === 'Pow' && i === 1 && domain === '' && dtype !== 'float4e2m1' && !isMinifloatDType(dtype)) continue;
    const key = supportKey(dtype);
    if (key === undefined) continue;
    if (key === 'float64' && ML_DOUBLE_OPS.has(`${domain}::${opType}`)) continue;
    if (domain !== '' || !SUPPORT.get(key)!.has(opType)) return `${dtype} inputs are not supported`;
  }
  return undefined;
}
