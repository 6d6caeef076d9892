// MaxPool / AveragePool over windows of any rank (3-D volumes and up), and MaxPool's Indices in column-major order
// (storage_order = 1). The 1-D/2-D row-major paths stay in pool-ops.ts, which hands these cases here.
import { DTypeError, ShapeError, Tensor, allocateData, dtypeInfo, formatShape, isPackedDType } from '@qint/tensor';
import { windowGeometry, type WindowAttributes } from './pool-geometry';
import { fromFloats, prod } from './tensor-utils';

type Elements = { [i: number]: any; length: number };

/**
 * Pools `x` `[N, C, D1…Dr]` with a window of rank r.
 * @param x - the input
 * @param kind - max or average
 * @param options - window attributes and count_include_pad
 * @param withIndices - also return MaxPool's int64 Indices (flat into X)
 * @param columnMajor - Indices of the spatial dims in column-major order (storage_order = 1)
 * @returns `[Y]` or `[Y, Indices]`
 * @throws {@link ShapeError} when the window rank does not match, {@link DTypeError} for unsupported dtypes
 */
export function poolNd(x: Tensor, kind: 'max' | 'avg', options: WindowAttributes & { readonly countIncludePad: boolean }, withIndices: boolean, columnMajor: boolean): Tensor[] {
  const what = kind === 'max' ? 'MaxPool' : 'AveragePool';
  if (isPackedDType(x.dtype) || x.dtype === 'bool' || x.dtype === 'int64') throw new DTypeError(`${what}: ${x.dtype} inputs are not supported`);
  if (kind === 'avg' && !dtypeInfo(x.dtype).isFloat) throw new DTypeError(`${what}: input must be a float tensor, got ${x.dtype}`);
  const r = x.rank - 2;
  if (r < 1 || options.kernel.length !== r) throw new ShapeError(`${what}: input ${formatShape(x.shape)} does not have ${options.kernel.length} spatial dims`);
  const dims = x.shape.slice(2);
  const g = windowGeometry(dims, options);
  const out = g.outSize;
  const planes = x.shape[0] * x.shape[1];
  const planeIn = prod(dims);
  const planeOut = prod(out);
  const inStrides = dims.map((_, i) => prod(dims, i + 1));
  // Column-major flat index of a spatial coordinate: the first spatial dim varies fastest.
  const cmStrides = dims.map((_, i) => prod(dims, 0, i));
  const src = (kind === 'avg' || x.dtype === 'float16' ? x.values() : x.data) as Elements;
  const y = (kind === 'avg' || x.dtype === 'float16' ? new Float64Array(planes * planeOut) : allocateData(x.dtype, planes * planeOut)) as Elements;
  const idx = withIndices ? new BigInt64Array(planes * planeOut) : undefined;
  const oc = new Array<number>(r).fill(0);
  const kc = new Array<number>(r).fill(0);
  const k = prod(g.kernel);
  for (let p = 0; p < planes; p++) {
    oc.fill(0);
    for (let o = 0; o < planeOut; o++) {
      let best = -Infinity;
      let bestAt = -1;
      let sum = 0;
      let inside = 0;
      let inPad = 0;
      kc.fill(0);
      for (let t = 0; t < k; t++) {
        let at = 0;
        let ok = true;
        let padOk = true;
        for (let i = 0; i < r; i++) {
          const q = oc[i] * g.strides[i] - g.padsBegin[i] + kc[i] * g.dilations[i];
          if (q < 0 || q >= dims[i]) ok = false;
          if (q < -g.padsBegin[i] || q >= dims[i] + g.padsEnd[i]) padOk = false;
          at += q * inStrides[i];
        }
        if (padOk) inPad++;
        if (ok) {
          const v = src[p * planeIn + at];
          inside++;
          if (kind === 'avg') sum += v;
          else if (v > best || v !== v || bestAt < 0) {
            best = v;
            bestAt = at;
          }
        }
        for (let i = r - 1; i >= 0; i--) {
          if (++kc[i] < g.kernel[i]) break;
          kc[i] = 0;
        }
      }
      const at = p * planeOut + o;
      if (kind === 'avg') {
        const count = options.countIncludePad ? inPad : inside;
        y[at] = count > 0 ? sum / count : 0;
      } else {
        y[at] = best;
        if (idx) {
          let flat = bestAt;
          if (columnMajor) {
            flat = 0;
            let rem = bestAt;
            for (let i = r - 1; i >= 0; i--) {
              flat += (rem % dims[i]) * cmStrides[i];
              rem = Math.floor(rem / dims[i]);
            }
          }
          idx[at] = BigInt(p * planeIn + flat);
        }
      }
      for (let i = r - 1; i >= 0; i--) {
        if (++oc[i] < out[i]) break;
        oc[i] = 0;
      }
    }
  }
  const shape = [x.shape[0], x.shape[1], ...out];
  const yt = kind === 'avg' || x.dtype === 'float16' ? fromFloats(x.dtype, shape, y as Float64Array) : Tensor.from(x.dtype, shape, y as never);
  return idx ? [yt, Tensor.from('int64', shape, idx)] : [yt];
}
