// Output size and padding of pooling windows (and convolutions) from ONNX attributes.
import { ShapeError, ValueError } from '@qint/tensor';
import type { AttributeReader } from './attribute-reader';

/** Reads and checks the `auto_pad` attribute of a windowed op (Conv family, pools); default NOTSET. */
export function readAutoPad(a: AttributeReader): 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID' {
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER' && autoPad !== 'VALID') {
    a.fail(`auto_pad "${autoPad}" is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  }
  return autoPad;
}

/** Resolved window geometry for each spatial axis. */
export interface WindowGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  readonly outSize: readonly number[];
}

/** Attributes that shape a sliding window. */
export interface WindowAttributes {
  readonly kernel: readonly number[];
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  /** ONNX layout: all begins, then all ends. */
  readonly pads?: readonly number[];
  readonly autoPad: string;
  readonly ceilMode: boolean;
}

/**
 * Resolves output sizes and pads (ONNX rules: explicit pads with floor or ceil mode — a last window that would start
 * inside the end padding is dropped, as onnxruntime and PyTorch do — or SAME_UPPER / SAME_LOWER / VALID).
 * @throws {@link ShapeError} when the window does not fit
 */
export function windowGeometry(inSize: readonly number[], a: WindowAttributes): WindowGeometry {
  const r = inSize.length;
  if (a.kernel.length !== r) throw new ShapeError(`kernel_shape has ${a.kernel.length} dims but the input has ${r} spatial dims`);
  const strides = a.strides ?? new Array<number>(r).fill(1);
  const dilations = a.dilations ?? new Array<number>(r).fill(1);
  const pads = a.pads ?? new Array<number>(2 * r).fill(0);
  if (strides.length !== r || dilations.length !== r || pads.length !== 2 * r) {
    throw new ValueError(`strides/dilations/pads lengths (${strides.length}/${dilations.length}/${pads.length}) do not match ${r} spatial dims`);
  }
  const padsBegin: number[] = [];
  const padsEnd: number[] = [];
  const outSize: number[] = [];
  for (let i = 0; i < r; i++) {
    const eff = (a.kernel[i] - 1) * dilations[i] + 1;
    const s = strides[i];
    let out: number;
    let pb = 0;
    let pe = 0;
    if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
      out = Math.ceil(inSize[i] / s);
      const total = Math.max((out - 1) * s + eff - inSize[i], 0);
      pb = a.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      pe = total - pb;
    } else if (a.autoPad === 'VALID') {
      out = Math.floor((inSize[i] - eff) / s) + 1;
      if (a.ceilMode) out = Math.ceil((inSize[i] - eff) / s) + 1;
    } else {
      pb = pads[i];
      pe = pads[i + r];
      const span = inSize[i] + pb + pe - eff;
      out = (a.ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      if (a.ceilMode && (out - 1) * s >= inSize[i] + pb) out--;
    }
    if (out < 1 || !Number.isFinite(out)) {
      throw new ShapeError(`spatial dim ${i} of size ${inSize[i]} is too small for a window of ${eff} (pads ${pb}+${pe}, stride ${s})`);
    }
    padsBegin.push(pb);
    padsEnd.push(pe);
    outSize.push(out);
  }
  return { kernel: a.kernel, strides, dilations, padsBegin, padsEnd, outSize };
}
