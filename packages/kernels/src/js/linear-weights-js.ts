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
  /** Centred activations `xq − za` of up to four rows. */
  xc: Int16Array;
  /** Per row of the block, per group: `Σ (xq − za)` (for the weight zero-point correction). */
  groupSums: Int32Array;
}

/**
 * Reference fused dynamic linear layer, exactly as specified on {@link DynamicLinearArgs}: uint8 activations per tensor
 * or per row, integer dot products per group, `y = f32(y + f32(f32(acc) · f32(sa · sw)))` group by group, then bias.
 * Rows are processed four at a time so each weight row is streamed once per four activation rows; the arithmetic
 * per output element is the same either way.
 */
export function dynamicLinearJs(args: DynamicLinearArgs, scratch: DynamicLinearScratch): void {
  const w = args.weights;
  if (!(w instanceof JsPackedLinearWeights)) {
    throw new ValueError(`dynamicLinear: weights were packed by backend "${w.backend}", not by the JS backend`);
  }
  if (w.released) throw new ValueError('dynamicLinear: weights were released');
  const { m, x, bias, perRow, out } = args;
  const { n, k, groupsPerRow: groups, groupLength, values, scales, zeroPoints } = w;
  if (scratch.xc.length < 4 * k) scratch.xc = new Int16Array(4 * k);
  if (scratch.groupSums.length < 4 * groups) scratch.groupSums = new Int32Array(4 * groups);
  const xc = scratch.xc;
  const gsum = scratch.groupSums;
  const whole = perRow ? undefined : dynamicParams(x, 0, m * k);
  const sa = [0, 0, 0, 0];
  for (let i0 = 0; i0 < m; i0 += 4) {
    const rows = Math.min(4, m - i0);
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const params = whole ?? dynamicParams(x, i * k, (i + 1) * k);
      sa[r] = params.scale;
      // Centred activations xq − za, in [−255, 255].
      quantizeDynamic(x, i * k, (i + 1) * k, params, xc, r * k, params.zeroPoint);
      if (zeroPoints) {
        for (let g = 0; g < groups; g++) {
          let s = 0;
          const end = Math.min(k, (g + 1) * groupLength);
          for (let p = g * groupLength; p < end; p++) s += xc[r * k + p];
          gsum[r * groups + g] = s;
        }
      }
    }
    if (rows === 4) {
      const [sa0, sa1, sa2, sa3] = sa;
      const x1 = k;
      const x2 = 2 * k;
      const x3 = 3 * k;
      for (let j = 0; j < n; j++) {
        const rowW = j * k;
        const rowS = j * groups;
        let y0 = 0;
        let y1 = 0;
        let y2 = 0;
        let y3 = 0;
        for (let g = 0; g < groups; g++) {
          const start = g * groupLength;
          const end = Math.min(k, start + groupLength);
          let c0 = 0;
          let c1 = 0;
          let c2 = 0;
          let c3 = 0;
          for (let p = start; p < end; p++) {
            const wv = values[rowW + p];
            c0 += xc[p] * wv;
            c1 += xc[x1 + p] * wv;
            c2 += xc[x2 + p] * wv;
            c3 += xc[x3 + p] * wv;
          }
          // Σ (xq − za)(wq − wz) = Σ (xq − za)·wq − wz·Σ (xq − za); every term is an exact integer in a double.
          if (zeroPoints) {
            const wz = zeroPoints[rowS + g];
            c0 -= wz * gsum[g];
            c1 -= wz * gsum[groups + g];
            c2 -= wz * gsum[2 * groups + g];
            c3 -= wz * gsum[3 * groups + g];
          }
          const sw = scales[rowS + g];
          y0 = fround(y0 + fround(fround(c0) * fround(sa0 * sw)));
          y1 = fround(y1 + fround(fround(c1) * fround(sa1 * sw)));
          y2 = fround(y2 + fround(fround(c2) * fround(sa2 * sw)));
          y3 = fround(y3 + fround(fround(c3) * fround(sa3 * sw)));
        }
        const bj = bias ? bias[j] : 0;
        const o = i0 * n + j;
        out[o] = bias ? fround(y0 + bj) : y0;
        out[o + n] = bias ? fround(y1 + bj) : y1;
        out[o + 2 * n] = bias ? fround(y2 + bj) : y2;
        out[o + 3 * n] = bias ? fround(y3 + bj) : y3;
      }
      continue;
    }
    for (let r = 0; r < rows; r++) {
      const xo = r * k;
      const rowOut = (i0 + r) * n;
      const sar = sa[r];
      let j = 0;
      // Four outputs at a time share each activation load (the matrix × vector case of token-by-token decoding).
      for (; j + 4 <= n; j += 4) {
        const w0 = j * k;
        const w1 = w0 + k;
        const w2 = w1 + k;
        const w3 = w2 + k;
        const s0 = j * groups;
        let y0 = 0;
        let y1 = 0;
        let y2 = 0;
        let y3 = 0;
        for (let g = 0; g < groups; g++) {
          const start = g * groupLength;
          const end = Math.min(k, start + groupLength);
          let c0 = 0;
          let c1 = 0;
          let c2 = 0;
          let c3 = 0;
          for (let p = start; p < end; p++) {
            const xv = xc[xo + p];
            c0 += xv * values[w0 + p];
            c1 += xv * values[w1 + p];
            c2 += xv * values[w2 + p];
            c3 += xv * values[w3 + p];
          }
          if (zeroPoints) {
            const gs = gsum[r * groups + g];
            c0 -= zeroPoints[s0 + g] * gs;
            c1 -= zeroPoints[s0 + groups + g] * gs;
            c2 -= zeroPoints[s0 + 2 * groups + g] * gs;
            c3 -= zeroPoints[s0 + 3 * groups + g] * gs;
          }
          y0 = fround(y0 + fround(fround(c0) * fround(sar * scales[s0 + g])));
          y1 = fround(y1 + fround(fround(c1) * fround(sar * scales[s0 + groups + g])));
          y2 = fround(y2 + fround(fround(c2) * fround(sar * scales[s0 + 2 * groups + g])));
          y3 = fround(y3 + fround(fround(c3) * fround(sar * scales[s0 + 3 * groups + g])));
        }
        out[rowOut + j] = bias ? fround(y0 + bias[j]) : y0;
        out[rowOut + j + 1] = bias ? fround(y1 + bias[j + 1]) : y1;
        out[rowOut + j + 2] = bias ? fround(y2 + bias[j + 2]) : y2;
        out[rowOut + j + 3] = bias ? fround(y3 + bias[j + 3]) : y3;
      }
      for (; j < n; j++) {
        const rowW = j * k;
        const rowS = j * groups;
        let y = 0;
        for (let g = 0; g < groups; g++) {
          const start = g * groupLength;
          const end = Math.min(k, start + groupLength);
          const end4 = start + ((end - start) & ~3);
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          let p = start;
          for (; p < end4; p += 4) {
            a0 += xc[xo + p] * values[rowW + p];
            a1 += xc[xo + p + 1] * values[rowW + p + 1];
            a2 += xc[xo + p + 2] * values[rowW + p + 2];
            a3 += xc[xo + p + 3] * values[rowW + p + 3];
          }
          for (; p < end; p++) a0 += xc[xo + p] * values[rowW + p];
          let acc = a0 + a1 + a2 + a3;
          if (zeroPoints) acc -= zeroPoints[rowS + g] * gsum[r * groups + g];
          y = fround(y + fround(fround(acc) * fround(sar * scales[rowS + g])));
        }
        out[rowOut + j] = bias ? fround(y + bias[j]) : y;
      }
    }
  }
}
