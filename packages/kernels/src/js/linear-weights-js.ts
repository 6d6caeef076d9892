import { ValueError } from '@qint/tensor';
import { dynamicParams, quantizeDynamic } from '../internal/dynamic-quant';
import type { DynamicLinearArgs, LinearWeightsSpec, PackedLinearWeights, WeightBits } from '../kernel-backend';

const fround = Math.fround;

/**
 * The JS backend's packed form: the signed values one per byte (`[n, k]` row-major, so each output's weights are
 * one contiguous run), plus scales and zero points per group. Plain JS gains nothing from nibble packing (it would
 * only add shifts to the inner loop), so 4/3/2-bit weights also take one byte each here; `byteLength` says so.
 */
export class JsPackedLinearWeights implements PackedLinearWeights {
  readonly backend: string;
  readonly n: number;
  readonly k: number;
  readonly bits: WeightBits;
  readonly blockSize: number;
  readonly byteLength: number;
  /** Groups along k per output row (1 when per channel). */
  readonly groupsPerRow: number;
  /** Length of each group along k (k when per channel). */
  readonly groupLength: number;
  readonly values: Int8Array;
  readonly scales: Float32Array;
  /** Undefined when every zero point is 0, so the kernel skips the correction. */
  readonly zeroPoints: Int32Array | undefined;
  released = false;

  constructor(backend: string, spec: LinearWeightsSpec) {
    this.backend = backend;
    this.n = spec.n;
    this.k = spec.k;
    this.bits = spec.bits;
    this.blockSize = spec.blockSize;
    this.groupLength = spec.blockSize > 0 ? spec.blockSize : spec.k;
    this.groupsPerRow = spec.blockSize > 0 ? Math.ceil(spec.k / spec.blockSize) : 1;
    this.values = spec.values.slice(0, spec.n * spec.k);
    this.scales = spec.scales.slice(0, spec.n * this.groupsPerRow);
    const zps = spec.zeroPoints;
    this.zeroPoints = zps && zps.some((z) => z !== 0) ? zps.slice(0, spec.n * this.groupsPerRow) : undefined;
    this.byteLength = this.values.byteLength + this.scales.byteLength + (this.zeroPoints ? this.zeroPoints.byteLength : 0);
  }
}

/** Packs validated weights for the JS backend (copies, so later changes to the caller's arrays do not leak in). */
export function packLinearWeightsJs(backend: string, spec: LinearWeightsSpec): JsPackedLinearWeights {
  return new JsPackedLinearWeights(backend, spec);
}

/** Scratch buffers reused across calls, grown on demand, so a call allocates nothing but what it must. */
export interface DynamicLinearScratch {
  xc: Int16Array;
  groupSums: Int32Array;
}

/**
 * Reference fused dynamic linear layer, exactly as specified on {@link DynamicLinearArgs}: uint8 activations per tensor
 * or per row, integer dot products per group, `y = f32(y + f32(f32(acc) · f32(sa · sw)))` group by group, then bias.
 */
export function dynamicLinearJs(args: DynamicLinearArgs, scratch: DynamicLinearScratch): void {
  const w = args.weights;
  if (!(w instanceof JsPackedLinearWeights)) {
    throw new ValueError(`dynamicLinear: weights were packed by backend "${w.backend}", not by the JS backend`);
  }
  if (w.released) throw new ValueError('dynamicLinear: weights were released');
  const { m, x, bias, perRow, out } = args;
  const { n, k, groupsPerRow, groupLength, values, scales, zeroPoints } = w;
  if (scratch.xc.length < k) scratch.xc = new Int16Array(k);
  if (scratch.groupSums.length < groupsPerRow) scratch.groupSums = new Int32Array(groupsPerRow);
  const xc = scratch.xc;
  const gsum = scratch.groupSums;
  const whole = perRow ? undefined : dynamicParams(x, 0, m * k);
  for (let i = 0; i < m; i++) {
    const params = whole ?? dynamicParams(x, i * k, (i + 1) * k);
    // Centred activations xq − za, in [−255, 255].
    quantizeDynamic(x, i * k, (i + 1) * k, params, xc, 0, params.zeroPoint);
    if (zeroPoints) {
      for (let g = 0; g < groupsPerRow; g++) {
        let s = 0;
        const end = Math.min(k, (g + 1) * groupLength);
        for (let p = g * groupLength; p < end; p++) s += xc[p];
        gsum[g] = s;
      }
    }
    const sa = params.scale;
    const rowOut = i * n;
    for (let j = 0; j < n; j++) {
      const rowW = j * k;
      const rowS = j * groupsPerRow;
      let y = 0;
      for (let g = 0; g < groupsPerRow; g++) {
        const start = g * groupLength;
        const end = Math.min(k, start + groupLength);
        const end4 = start + ((end - start) & ~3);
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let p = start;
        for (; p < end4; p += 4) {
          a0 += xc[p] * values[rowW + p];
          a1 += xc[p + 1] * values[rowW + p + 1];
          a2 += xc[p + 2] * values[rowW + p + 2];
          a3 += xc[p + 3] * values[rowW + p + 3];
        }
        for (; p < end; p++) a0 += xc[p] * values[rowW + p];
        // Σ (xq − za)(wq − wz) = Σ (xq − za)·wq − wz·Σ (xq − za); every term is an exact integer in a double.
        let acc = a0 + a1 + a2 + a3;
        if (zeroPoints) acc -= zeroPoints[rowS + g] * gsum[g];
        y = fround(y + fround(fround(acc) * fround(sa * scales[rowS + g])));
      }
      out[rowOut + j] = bias ? fround(y + bias[j]) : y;
    }
  }
}
