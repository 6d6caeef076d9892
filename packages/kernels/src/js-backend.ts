import { convF32Js, convIntegerJs, type ConvScratch } from './js/conv-js';
import { dynamicConvF32Js } from './js/dynamic-conv-js';
import { gemmF32Js } from './js/gemm-f32-js';
import { gemmF32BatchedJs } from './js/gemm-f32-batched-js';
import { dynamicLinearJs, JsPackedLinearWeights, packLinearWeightsJs, type DynamicLinearScratch } from './js/linear-weights-js';
import { matMulIntegerJs } from './js/mat-mul-integer-js';
import { matMulIntegerBatchedJs } from './js/mat-mul-integer-batched-js';
import { dynamicAttentionF32Js, dynamicMatMulF32Js } from './js/dynamic-mat-mul-js';
import { stridedCopyF32Js } from './js/strided-copy-js';
import { binaryF32Js } from './js/binary-f32-js';
import { geluErfF32Js, layerNormF32Js, softmaxF32Js } from './js/row-ops-js';
import type { ConvF32Args, DynamicConvF32Args, KernelBackend } from './kernel-backend';
import { maxPoolPlanesJs } from './js/max-pool-planes-js';

/** Runs a conv primitive into a full-size buffer and max-pools it into `out` when a fused pool is asked for. */
function withPool<A extends ConvF32Args | DynamicConvF32Args>(args: A, run: (a: A) => void): void {
  const pool = args.pool;
  if (!pool) {
    run(args);
    return;
  }
  const { batch, outChannels: m, outHeight: h, outWidth: w } = args;
  const full = new Float32Array(batch * m * h * w);
  run({ ...args, out: full, pool: undefined });
  maxPoolPlanesJs(full, batch * m, h, w, pool, args.out);
}

/** A backend that implements every primitive of KernelBackend v1 (the JS backend's type). */
export type CompleteKernelBackend = KernelBackend & Required<Pick<KernelBackend, PrimitiveName>>;

/** Names of the compute primitives of KernelBackend v1 (what falls back to JS when a backend lacks it). */
export type PrimitiveName =
  | 'matMulInteger'
  | 'gemmF32'
  | 'convF32'
  | 'convInteger'
  | 'dynamicConvF32'
  | 'packLinearWeights'
  | 'dynamicLinear'
  | 'releaseLinearWeights'
  | 'matMulIntegerBatched'
  | 'gemmF32Batched'
  | 'dynamicMatMulF32'
  | 'dynamicAttentionF32'
  | 'stridedCopyF32'
  | 'binaryF32'
  | 'softmaxF32'
  | 'geluErfF32'
  | 'layerNormF32';

/** Every primitive of KernelBackend v1, in a stable order. */
export const PRIMITIVE_NAMES: readonly PrimitiveName[] = Object.freeze([
  'matMulInteger',
  'gemmF32',
  'convF32',
  'convInteger',
  'dynamicConvF32',
  'packLinearWeights',
  'dynamicLinear',
  'releaseLinearWeights',
  'matMulIntegerBatched',
  'gemmF32Batched',
  'dynamicMatMulF32',
  'dynamicAttentionF32',
  'stridedCopyF32',
  'binaryF32',
  'softmaxF32',
  'geluErfF32',
  'layerNormF32',
]);

/**
 * Creates the reference JavaScript backend: plain typed-array loops, exact int32 accumulation, every primitive of
 * KernelBackend v1. It is the definition of correct results and the fallback for any primitive another backend
 * lacks; it is not the fast path (about 1–2 GOP/s).
 *
 * @returns a new backend named `'js'`
 * @example
 * ```ts
 * const js = createJsBackend();
 * await setBackend(js);
 * ```
 */
export function createJsBackend(): CompleteKernelBackend {
  const name = 'js';
  const scratch: DynamicLinearScratch = { xc: new Int16Array(0), groupSums: new Int32Array(0) };
  const convScratch: ConvScratch = { f32: new Float32Array(0), i16: new Int16Array(0) };
  return {
    specificationVersion: 'v1',
    name,
    matMulInteger: matMulIntegerJs,
    gemmF32: gemmF32Js,
    convF32: (args) => withPool(args, (a) => convF32Js(a, convScratch)),
    convF32Epilogue: true,
    convInteger: (args) => convIntegerJs(args, convScratch),
    dynamicConvF32: (args) => withPool(args, (a) => dynamicConvF32Js(a, convScratch)),
    packLinearWeights: (spec) => packLinearWeightsJs(name, spec),
    dynamicLinear: (args) => dynamicLinearJs(args, scratch),
    releaseLinearWeights: (weights) => {
      if (weights instanceof JsPackedLinearWeights) weights.released = true;
    },
    matMulIntegerBatched: matMulIntegerBatchedJs,
    gemmF32Batched: gemmF32BatchedJs,
    dynamicMatMulF32: dynamicMatMulF32Js,
    dynamicAttentionF32: dynamicAttentionF32Js,
    stridedCopyF32: stridedCopyF32Js,
    binaryF32: binaryF32Js,
    softmaxF32: softmaxF32Js,
    geluErfF32: geluErfF32Js,
    layerNormF32: layerNormF32Js,
    diagnostics: () => ({ simd: false, language: 'javascript' }),
  };
}
