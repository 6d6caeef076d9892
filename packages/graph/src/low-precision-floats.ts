// float16 and bfloat16 run on the float32 op implementations: inputs are widened to float32 (exact), the node runs,
// and its float32 outputs are rounded back to the low-precision type — one rounding per op output, the numerics of
// onnxruntime's CPU kernels for these types (which compute in float32 and store half precision). Done once here, for
// every op, instead of a float16 path in each kernel.
import { Tensor, bfloat16BitsToFloat32, float16ToFloat32Array, float32ToBfloat16Bits, float32ToFloat16Array, type DType } from '@qint/tensor';
import type { OpKernel } from './ops/op-definition';

/** Ops that move or reinterpret elements without arithmetic, on any storage: they see low-precision inputs as they are. */
const STORAGE_GENERIC_OPS = new Set([
  'Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Slice', 'Concat', 'Gather', 'Split', 'Expand',
  'Shape', 'Size', 'Cast', 'CastLike', 'Dropout',
  // Random ops read only the input's shape (Bernoulli its probabilities, decoded per element) and choose their own output dtype.
  'RandomUniformLike', 'RandomNormalLike', 'Bernoulli',
]);

/** Outputs that keep float32 whatever the input type (LayerNormalization's Mean and InvStdDev use `stash_type`). */
const FLOAT32_OUTPUTS: Readonly<Record<string, readonly number[]>> = { LayerNormalization: [1, 2] };

type LowFloat = 'float16' | 'bfloat16';

function isLow(dtype: DType): dtype is LowFloat {
  return dtype === 'float16' || dtype === 'bfloat16';
}

/** The exact float32 values of a float16 or bfloat16 tensor. */
export function widenToFloat32(t: Tensor): Tensor {
  const bits = t.data as Uint16Array;
  const values = t.dtype === 'float16' ? float16ToFloat32Array(bits) : Float32Array.from(bits, bfloat16BitsToFloat32);
  return Tensor.from('float32', t.shape, values);
}

/** A float32 tensor rounded to nearest even in float16 or bfloat16. */
export function narrowFromFloat32(t: Tensor, to: LowFloat): Tensor {
  const v = t.data as Float32Array;
  return Tensor.from(to, t.shape, to === 'float16' ? float32ToFloat16Array(v) : Uint16Array.from(v, float32ToBfloat16Bits));
}

/**
 * Wraps a node's kernel so that float16/bfloat16 inputs run through its float32 implementation. A node without such
 * inputs calls the kernel directly (one dtype check per input); storage-generic ops are not wrapped.
 *
 * @param kernel - the node's kernel, built by its op definition
 * @param opType - the node's op type
 * @returns the kernel to run
 * @example
 * ```ts
 * const run = adaptLowPrecisionFloats(def.build(ctx), node.opType);
 * ```
 */
export function adaptLowPrecisionFloats(kernel: OpKernel, opType: string): OpKernel {
  if (STORAGE_GENERIC_OPS.has(opType)) return kernel;
  const keep = FLOAT32_OUTPUTS[opType];
  return (inputs, donated) => {
    let low: LowFloat | undefined;
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i];
      if (t !== undefined && isLow(t.dtype)) {
        low = t.dtype;
        break;
      }
    }
    if (low === undefined) return kernel(inputs, donated);
    const wide = inputs.map((t) => (t !== undefined && isLow(t.dtype) ? widenToFloat32(t) : t));
    const outs = kernel(wide, donated);
    return outs.map((t, j) => (t !== undefined && t.dtype === 'float32' && !keep?.includes(j) ? narrowFromFloat32(t, low!) : t));
  };
}
