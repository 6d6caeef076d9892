// ConvTranspose over three or more spatial dims (3-D volumes and up), float32; 1-D and 2-D stay in linear-ops.ts,
// which hands higher ranks here. Same attribute rules: pads / auto_pad / output_shape / output_padding.
import { ShapeError, Tensor, formatShape } from '@qint/tensor';
import type { ConvTransposeAttributes } from './linear-ops';
import { prod } from './tensor-utils';

/**
 * ConvTranspose of `x` `[N, C, D1…Dr]` with `w` `[C, M/group, k1…kr]`, accumulated in float64.
 * @returns `[N, M, O1…Or]`
 * @throws {@link ShapeError} when the shapes or attributes do not fit
 */
export function convTransposeNd(x: Tensor, w: Tensor, bias: Tensor | undefined, a: ConvTransposeAttributes): Tensor {
  const r = x.rank - 2;
  if (w.rank !== x.rank) throw new ShapeError(`ConvTranspose: X ${formatShape(x.shape)} and W ${formatShape(w.shape)} must have one rank`);
  const [n, c] = x.shape;
  const g = a.group;
  if (w.shape[0] !== c || c % g !== 0) throw new ShapeError(`ConvTranspose: W ${formatShape(w.shape)} must have ${c} input channels divisible by group ${g}`);
  const mPerG = w.shape[1];
  const m = mPerG * g;
  const inSize = x.shape.slice(2);
  const k = w.shape.slice(2);
  const fill = (v: readonly number[] | undefined, d: number, len = r): readonly number[] => v ?? new Array<number>(len).fill(d);
  const strides = fill(a.strides, 1);
  const dil = fill(a.dilations, 1);
  const outPad = fill(a.outputPadding, 0);
  const pads = fill(a.pads, 0, 2 * r);
  if (strides.length !== r || dil.length !== r || outPad.length !== r || pads.length !== 2 * r) {
    throw new ShapeError(`ConvTranspose: strides/dilations/output_padding/pads do not match ${r} spatial dims`);
  }
  const outSize: number[] = [];
  const padBegin: number[] = [];
  for (let i = 0; i < r; i++) {
    const full = strides[i] * (inSize[i] - 1) + outPad[i] + (k[i] - 1) * dil[i] + 1;
    const wanted = a.outputShape ? a.outputShape[a.outputShape.length - r + i] : undefined;
    if (wanted !== undefined || a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
      const target = wanted ?? inSize[i] * strides[i];
      const total = full - target;
      padBegin.push(a.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
      outSize.push(target);
    } else if (a.autoPad === 'VALID') {
      padBegin.push(0);
      outSize.push(full);
    } else {
      padBegin.push(pads[i]);
      outSize.push(full - pads[i] - pads[i + r]);
    }
    if (outSize[i] < 0) throw new ShapeError(`ConvTranspose: output dim ${i} would be negative (${outSize[i]})`);
  }
  const planeIn = prod(inSize);
  const planeOut = prod(outSize);
  const kSize = prod(k);
  const xd = x.data as Float32Array;
  const wd = w.data as Float32Array;
  const acc = new Float64Array(n * m * planeOut);
  const outStrides = outSize.map((_, i) => prod(outSize, i + 1));
  // Per kernel tap and input position, the output offset (or −1 when outside), computed once.
  const target = new Int32Array(planeIn * kSize);
  const ic = new Array<number>(r).fill(0);
  for (let p = 0; p < planeIn; p++) {
    const kc = new Array<number>(r).fill(0);
    for (let t = 0; t < kSize; t++) {
      let at = 0;
      for (let i = 0; i < r && at >= 0; i++) {
        const o = ic[i] * strides[i] - padBegin[i] + kc[i] * dil[i];
        at = o < 0 || o >= outSize[i] ? -1 : at + o * outStrides[i];
      }
      target[p * kSize + t] = at;
      for (let i = r - 1; i >= 0; i--) {
        if (++kc[i] < k[i]) break;
        kc[i] = 0;
      }
    }
    for (let i = r - 1; i >= 0; i--) {
      if (++ic[i] < inSize[i]) break;
      ic[i] = 0;
    }
  }
  const cPerG = c / g;
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < c; ci++) {
      const grp = Math.floor(ci / cPerG);
      for (let p = 0; p < planeIn; p++) {
        const v = xd[(b * c + ci) * planeIn + p];
        if (v === 0) continue;
        for (let mo = 0; mo < mPerG; mo++) {
          const wBase = (ci * mPerG + mo) * kSize;
          const oBase = (b * m + grp * mPerG + mo) * planeOut;
          for (let t = 0; t < kSize; t++) {
            const at = target[p * kSize + t];
            if (at >= 0) acc[oBase + at] += v * wd[wBase + t];
          }
        }
      }
    }
  }
  if (bias && (bias.dtype !== 'float32' || bias.size !== m)) throw new ShapeError(`ConvTranspose: B must be float32 [${m}], got ${bias.dtype} ${formatShape(bias.shape)}`);
  const bd = bias?.data as Float32Array | undefined;
  const out = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = bd ? acc[i] + bd[Math.floor(i / planeOut) % m] : acc[i];
  return Tensor.from('float32', [n, m, ...outSize], out);
}
