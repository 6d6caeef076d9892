// Signal processing: DFT, STFT, the window generators (Hann, Hamming, Blackman) and MelWeightMatrix. Transforms are
// direct O(N²) sums in float64 with exact twiddles (index products taken mod N), fine for the frame sizes of audio
// front ends; results are rounded to the input's dtype.
import { DTypeError, ShapeError, Tensor, ValueError, formatShape, type DType } from '@qint/tensor';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition } from './op-definition';
import { dtypeFromOnnx, fromFloats, need, prod, readInts, readScalar } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

function floatValues(t: Tensor, what: string): ArrayLike<number> {
  if (t.dtype !== 'float32' && t.dtype !== 'float16' && t.dtype !== 'float64') throw new DTypeError(`${what} must be float32, float16 or float64, got ${t.dtype}`);
  return t.values();
}

/** cos/sin of 2π·m/n for m in [0, n): the twiddles of an n-point transform. */
function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    const a = (2 * Math.PI * m) / n;
    cos[m] = Math.cos(a);
    sin[m] = Math.sin(a);
  }
  return { cos, sin };
}

/** Options of {@link dft}. */
export interface DftOptions {
  /** The signal axis (of the full rank, the last dim being real/imaginary); not the last. */
  readonly axis: number;
  /** Transform length: the signal is zero-padded or truncated to it (default: its length; 2·(len − 1) for an inverse onesided transform). */
  readonly length?: number;
  readonly inverse: boolean;
  readonly onesided: boolean;
}

/**
 * ONNX DFT: `y[k] = Σ x[n]·e^(∓2πikn/N)` along `axis` (inverse: `+`, scaled by 1/N). Input `[..., 1]` (real) or
 * `[..., 2]` (complex). `onesided` forward keeps bins `0 … ⌊N/2⌋`; `onesided` inverse takes those bins of a Hermitian
 * spectrum and returns the real signal `[..., N, ..., 1]` (numpy's `irfft`: the imaginary parts of bin 0 and, for
 * even N, bin N/2 are ignored).
 *
 * @throws {@link ShapeError} for a last dim other than 1 or 2, or the axis on it
 */
export function dft(x: Tensor, options: DftOptions, label: string): Tensor {
  const v = floatValues(x, `${label}: input`);
  const rank = x.rank;
  const comps = x.shape[rank - 1];
  if (rank < 2 || (comps !== 1 && comps !== 2)) throw new ShapeError(`${label}: input must end in a dim of 1 (real) or 2 (complex), got ${formatShape(x.shape)}`);
  const axis = options.axis < 0 ? options.axis + rank : options.axis;
  if (axis < 0 || axis >= rank - 1) throw new ValueError(`${label}: axis ${options.axis} must name a signal dim of ${formatShape(x.shape)} (not the last)`);
  const len = x.shape[axis];
  const halfInverse = options.inverse && options.onesided;
  const n = options.length ?? (halfInverse ? 2 * (len - 1) : len);
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`${label}: dft_length must be ≥ 1, got ${n}`);
  const outer = prod(x.shape, 0, axis);
  const inner = prod(x.shape, axis + 1, rank - 1);
  const outLen = halfInverse ? n : options.onesided ? Math.floor(n / 2) + 1 : n;
  const outComps = halfInverse ? 1 : 2;
  const out = new Float64Array(outer * outLen * inner * outComps);
  const { cos, sin } = twiddles(n);
  const sign = options.inverse ? 1 : -1;
  const scale = options.inverse ? 1 / n : 1;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      re.fill(0);
      im.fill(0);
      if (halfInverse) {
        // Rebuild the full spectrum from bins 0 … ⌊n/2⌋ by Hermitian symmetry.
        const half = Math.floor(n / 2);
        for (let k = 0; k <= half && k < len; k++) {
          const at = ((o * len + k) * inner + i) * comps;
          const r = v[at];
          const m = comps === 2 ? v[at + 1] : 0;
          re[k] = r;
          im[k] = k === 0 || (n % 2 === 0 && k === half) ? 0 : m;
          if (k !== 0 && k !== n - k) {
            re[n - k] = r;
            im[n - k] = -im[k];
          }
        }
      } else {
        for (let t = 0; t < Math.min(n, len); t++) {
          const at = ((o * len + t) * inner + i) * comps;
          re[t] = v[at];
          im[t] = comps === 2 ? v[at + 1] : 0;
        }
      }
      for (let k = 0; k < outLen; k++) {
        let sr = 0;
        let si = 0;
        for (let t = 0; t < n; t++) {
          const m = (k * t) % n;
          const c = cos[m];
          const s = sign * sin[m];
          sr += re[t] * c - im[t] * s;
          si += re[t] * s + im[t] * c;
        }
        const at = ((o * outLen + k) * inner + i) * outComps;
        out[at] = sr * scale;
        if (outComps === 2) out[at + 1] = si * scale;
      }
    }
  }
  const shape = x.shape.slice();
  shape[axis] = outLen;
  shape[rank - 1] = outComps;
  return fromFloats(x.dtype, shape, out);
}

/**
 * ONNX STFT: frames of `frameLength` samples every `frameStep` along dim 1 of `[batch, length, 1 | 2]`, each multiplied
 * by `window` (when given) and transformed; output `[batch, frames, bins, 2]` with bins `⌊frameLength/2⌋ + 1` when
 * onesided.
 */
export function stft(signal: Tensor, frameStep: number, window: Tensor | undefined, frameLength: number | undefined, onesided: boolean, label: string): Tensor {
  const v = floatValues(signal, `${label}: signal`);
  if (signal.rank !== 3 || (signal.shape[2] !== 1 && signal.shape[2] !== 2)) {
    throw new ShapeError(`${label}: signal must be [batch, length, 1 | 2], got ${formatShape(signal.shape)}`);
  }
  const [batch, length, comps] = signal.shape;
  const w = window === undefined ? undefined : floatValues(window, `${label}: window`);
  const flen = frameLength ?? w?.length;
  if (flen === undefined) throw new ValueError(`${label}: needs a window or a frame_length`);
  if (w !== undefined && w.length !== flen) throw new ShapeError(`${label}: window has ${w.length} values but frame_length is ${flen}`);
  if (frameStep < 1 || flen < 1 || flen > length) throw new ValueError(`${label}: frame_step ${frameStep} and frame_length ${flen} do not fit a signal of ${length}`);
  if (onesided && comps === 2) throw new ValueError(`${label}: onesided output needs a real signal`);
  const frames = Math.floor((length - flen) / frameStep) + 1;
  const bins = onesided ? Math.floor(flen / 2) + 1 : flen;
  const out = new Float64Array(batch * frames * bins * 2);
  const { cos, sin } = twiddles(flen);
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < frames; f++) {
      const start = f * frameStep;
      for (let k = 0; k < bins; k++) {
        let sr = 0;
        let si = 0;
        for (let t = 0; t < flen; t++) {
          const at = (b * length + start + t) * comps;
          const g = w === undefined ? 1 : w[t];
          const r = v[at] * g;
          const m = comps === 2 ? v[at + 1] * g : 0;
          const q = (k * t) % flen;
          sr += r * cos[q] + m * sin[q];
          si += m * cos[q] - r * sin[q];
        }
        const at = (((b * frames + f) * bins + k) * 2);
        out[at] = sr;
        out[at + 1] = si;
      }
    }
  }
  return fromFloats(signal.dtype, [batch, frames, bins, 2], out);
}

function outputDType(ctx: OpBuildContext, fallback: number): DType {
  const code = ctx.attrs.int('output_datatype', fallback);
  try {
    return dtypeFromOnnx(code, 'output_datatype');
  } catch (e) {
    throw new UnsupportedVariant(e instanceof Error ? e.message : String(e));
  }
}

function windowSize(t: Tensor, label: string): number {
  const n = readScalar(t, `${label} size`);
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${label}: size must be an integer ≥ 0, got ${n}`);
  return n;
}

/** A window op: `w[k] = f(2πk/N)` with N = size (periodic, the default) or size − 1 (symmetric). */
function windowOp(opType: string, f: (a: number) => number): OpDefinition {
  return onnxOp(
    opType,
    17,
    (ctx) => {
      const dtype = outputDType(ctx, 1);
      const periodic = ctx.attrs.int('periodic', 1) !== 0;
      return (inputs) => {
        const size = windowSize(need(inputs, 0, 'size'), ctx.label);
        const denom = periodic ? size : size - 1;
        const out = new Float64Array(size);
        for (let k = 0; k < size; k++) out[k] = denom === 0 ? 1 : f((2 * Math.PI * k) / denom);
        return [fromFloats(dtype, [size], out)];
      };
    },
    (ctx, inputs) => [{ dtype: outputDType(ctx, 1), shape: inputs[0]?.value ? [windowSize(inputs[0].value, ctx.label)] : [undefined] }],
  );
}

/**
 * MelWeightMatrix as the ONNX reference computes it: `numMelBins + 2` points equally spaced in mel
 * (`2595·log10(1 + f/700)`) between the edges, mapped to FFT bins `⌊(dftLength + 1)·f / sampleRate⌋`, and a triangle
 * per mel bin; output `[⌊dftLength/2⌋ + 1, numMelBins]`.
 */
export function melWeightMatrix(numMelBins: number, dftLength: number, sampleRate: number, lowerHz: number, upperHz: number, dtype: DType, label: string): Tensor {
  if (numMelBins < 1 || dftLength < 1 || sampleRate <= 0) throw new ValueError(`${label}: num_mel_bins, dft_length and sample_rate must be positive`);
  const spectrogramBins = Math.floor(dftLength / 2) + 1;
  const lowMel = 2595 * Math.log10(1 + lowerHz / 700);
  const highMel = 2595 * Math.log10(1 + upperHz / 700);
  const points = numMelBins + 2;
  const step = (highMel - lowMel) / points;
  const bin = new Array<number>(points);
  for (let i = 0; i < points; i++) {
    const hz = 700 * (Math.pow(10, (i * step + lowMel) / 2595) - 1);
    bin[i] = Math.floor(((dftLength + 1) * hz) / sampleRate);
  }
  const out = new Float64Array(spectrogramBins * numMelBins);
  const set = (j: number, i: number, value: number) => {
    if (j < 0 || j >= spectrogramBins) throw new ValueError(`${label}: upper_edge_hertz maps past the last spectrogram bin`);
    out[j * numMelBins + i] = value;
  };
  for (let i = 0; i < numMelBins; i++) {
    const [lo, center, hi] = [bin[i], bin[i + 1], bin[i + 2]];
    if (center === lo) set(center, i, 1);
    else for (let j = lo; j <= center; j++) set(j, i, (j - lo) / (center - lo));
    for (let j = center; j < hi; j++) set(j, i, (hi - j) / (hi - center));
  }
  return fromFloats(dtype, [spectrogramBins, numMelBins], out);
}

function optionalScalarInt(t: Tensor | undefined, what: string): number | undefined {
  if (t === undefined) return undefined;
  const [n] = readInts(t, what);
  if (t.size !== 1) throw new ValueError(`${what} must be a scalar, got ${formatShape(t.shape)}`);
  return n;
}

function dftOp(since: number): OpDefinition {
  return onnxOp('DFT', since, (ctx) => {
    const inverse = ctx.attrs.int('inverse', 0) !== 0;
    const onesided = ctx.attrs.int('onesided', 0) !== 0;
    const attrAxis = since < 20 ? ctx.attrs.int('axis', 1) : undefined;
    return (inputs) => {
      const x = need(inputs, 0, 'input');
      const length = optionalScalarInt(inputs[1], `${ctx.label} dft_length`);
      const axis = attrAxis ?? optionalScalarInt(inputs[2], `${ctx.label} axis`) ?? -2;
      return [dft(x, { axis, inverse, onesided, ...(length === undefined ? {} : { length }) }, ctx.label)];
    };
  });
}

/** DFT (17, 20), STFT (17), HannWindow, HammingWindow, BlackmanWindow (17), MelWeightMatrix (17). */
export const signalOps: readonly OpDefinition[] = [
  dftOp(17),
  dftOp(20),
  onnxOp('STFT', 17, (ctx) => {
    const onesided = ctx.attrs.int('onesided', 1) !== 0;
    return (inputs) => {
      const step = optionalScalarInt(need(inputs, 1, 'frame_step'), `${ctx.label} frame_step`) as number;
      return [stft(need(inputs, 0, 'signal'), step, inputs[2], optionalScalarInt(inputs[3], `${ctx.label} frame_length`), onesided, ctx.label)];
    };
  }),
  windowOp('HannWindow', (a) => 0.5 - 0.5 * Math.cos(a)),
  windowOp('HammingWindow', (a) => 25 / 46 - (21 / 46) * Math.cos(a)),
  windowOp('BlackmanWindow', (a) => 0.42 - 0.5 * Math.cos(a) + 0.08 * Math.cos(2 * a)),
  onnxOp('MelWeightMatrix', 17, (ctx) => {
    const dtype = outputDType(ctx, 1);
    return (inputs) => {
      const ints = [0, 1, 2].map((i) => optionalScalarInt(need(inputs, i, ['num_mel_bins', 'dft_length', 'sample_rate'][i]), ctx.label) as number);
      const lower = readScalar(need(inputs, 3, 'lower_edge_hertz'), `${ctx.label} lower_edge_hertz`);
      const upper = readScalar(need(inputs, 4, 'upper_edge_hertz'), `${ctx.label} upper_edge_hertz`);
      return [melWeightMatrix(ints[0], ints[1], ints[2], lower, upper, dtype, ctx.label)];
    };
  }),
];
