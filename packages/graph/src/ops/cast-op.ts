// Cast and CastLike over every qint dtype, with ONNX's conversion rules: floats to integers truncate toward zero and
// wrap (C-style), anything to bool is `x != 0`, float to float rounds to nearest even; float8 targets honour
// `saturate` (opset 19+) and float8e8m0 `round_mode` (opset 25+). Integer to integer is exact, int64/uint64 included.
import { Tensor, encodeMinifloat, isMinifloatDType, isPackedDType, type DType, type E8M0RoundMode } from '@qint/tensor';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition } from './op-definition';
import { dtypeFromOnnx, fromNumbers, need, packCodes } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** Options of {@link castTensor}: ONNX Cast's `saturate` and `round_mode`. */
export interface CastOptions {
  /** Out-of-range values become ±max (default) or infinity/NaN; float8 targets only. */
  readonly saturate?: boolean;
  /** Rounding to float8e8m0 (default `up`). */
  readonly roundMode?: E8M0RoundMode;
}

const INT_BITS: Partial<Record<DType, { bits: number; signed: boolean }>> = {
  int8: { bits: 8, signed: true },
  uint8: { bits: 8, signed: false },
  int16: { bits: 16, signed: true },
  uint16: { bits: 16, signed: false },
  int32: { bits: 32, signed: true },
  uint32: { bits: 32, signed: false },
  int64: { bits: 64, signed: true },
  uint64: { bits: 64, signed: false },
};

/**
 * Converts a tensor to another dtype with ONNX Cast semantics.
 *
 * @param x - the input
 * @param to - the target dtype
 * @param options - `saturate` and `roundMode` for float8 targets
 * @returns the converted tensor (`x` itself when the dtype is already `to`)
 * @example
 * ```ts
 * castTensor(Tensor.from('float32', [2], [1e6, -0.3]), 'float8e4m3fn').toArray(); // [448, -0.3125]
 * ```
 */
export function castTensor(x: Tensor, to: DType, options: CastOptions = {}): Tensor {
  if (x.dtype === to) return x;
  const big = x.data instanceof BigInt64Array || x.data instanceof BigUint64Array;
  const target = INT_BITS[to];
  if (big && target) {
    // Integer to integer: wrap modulo 2^bits exactly, as a C cast does, even beyond 2^53.
    const src = x.data as BigInt64Array | BigUint64Array;
    const out = fromNumbers(to, x.shape, new Float64Array(src.length));
    const dst = out.data as unknown as { [i: number]: number | bigint };
    for (let i = 0; i < src.length; i++) {
      const w = target.signed ? BigInt.asIntN(target.bits, src[i]) : BigInt.asUintN(target.bits, src[i]);
      dst[i] = target.bits === 64 ? w : Number(w);
    }
    return out;
  }
  if (isMinifloatDType(to)) {
    const v = x.values();
    const saturate = options.saturate ?? true;
    const codes = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) codes[i] = encodeMinifloat(to, v[i], saturate, options.roundMode);
    return Tensor.from(to, x.shape, to === 'float4e2m1' ? packCodes(codes) : codes);
  }
  if (to === 'float32') return Tensor.from('float32', x.shape, Float32Array.from(x.values()));
  if (isPackedDType(to) || to === 'bool' || !big) return fromNumbers(to, x.shape, x.values());
  // int64/uint64 to a float type: through the nearest double.
  return fromNumbers(to, x.shape, Float64Array.from(x.data as BigInt64Array, (b) => Number(b)));
}

function castOptions(ctx: OpBuildContext): CastOptions {
  const saturate = ctx.opset >= 19 ? ctx.attrs.int('saturate', 1) !== 0 : true;
  const mode = ctx.opset >= 25 ? ctx.attrs.string('round_mode', 'up') : 'up';
  if (mode !== 'up' && mode !== 'down' && mode !== 'nearest') throw new UnsupportedVariant(`round_mode "${mode}" is not one of "up", "down", "nearest"`);
  return { saturate, roundMode: mode };
}

function castDefinition(since: number): OpDefinition {
  return onnxOp(
    'Cast',
    since,
    (ctx) => {
      const code = ctx.attrs.int('to') ?? ctx.attrs.fail('attribute "to" is required');
      let to: DType;
      try {
        to = dtypeFromOnnx(code, 'Cast to');
      } catch (e) {
        throw new UnsupportedVariant(e instanceof Error ? e.message : String(e));
      }
      const options = castOptions(ctx);
      return (inputs) => [castTensor(need(inputs, 0, 'input'), to, options)];
    },
    (ctx, inputs) => {
      const code = ctx.attrs.int('to');
      try {
        return [{ dtype: dtypeFromOnnx(code ?? 0, 'Cast to'), shape: inputs[0]?.shape }];
      } catch {
        return [{ shape: inputs[0]?.shape }];
      }
    },
  );
}

function castLikeDefinition(since: number): OpDefinition {
  return onnxOp(
    'CastLike',
    since,
    (ctx) => {
      const options = castOptions(ctx);
      return (inputs) => [castTensor(need(inputs, 0, 'input'), need(inputs, 1, 'target_type').dtype, options)];
    },
    (_ctx, inputs) => [{ dtype: inputs[1]?.dtype, shape: inputs[0]?.shape }],
  );
}

/** Cast (opset 6, 19 with `saturate`, 25 with `round_mode`) and CastLike (opset 15, 19, 25). */
export const castOps: readonly OpDefinition[] = [
  castDefinition(6),
  castDefinition(19),
  castDefinition(25),
  castLikeDefinition(15),
  castLikeDefinition(19),
  castLikeDefinition(25),
];
