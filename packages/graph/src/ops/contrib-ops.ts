// com.microsoft contrib ops that onnxruntime's quantization tools emit: QLinearAdd, QLinearMul, QLinearConcat,
// QLinearGlobalAveragePool, DynamicQuantizeMatMul, MatMulNBits (+ the contrib aliases of Quantize/DequantizeLinear).
// Float steps are rounded to float32 one by one, in the order onnxruntime's reference kernels use.
import { dequantizeLinear, dynamicQuantizeLinear, matMul, matMulInteger, quantizeLinear, roundHalfToEven } from '@qint/kernels';
import { DTypeError, ShapeError, Tensor, ValueError, allocateData, broadcastShapes, formatShape, normalizeAxis } from '@qint/tensor';
import { broadcastBinary, F32Op } from './broadcast';
import { pool2d, poolOptions, type PoolOptions } from './pool-ops';
import { msOp } from './define-op';
import { broadcastDims } from './infer-helpers';
import type { OpDefinition } from './op-definition';
import { need, prod, readFloats } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

const f = Math.fround;

/** Round half to even, then clamp to the integer type's range. */
function requant(v: number, lo: number, hi: number): number {
  const r = roundHalfToEven(v);
  return r < lo ? lo : r > hi ? hi : r;
}

function range8(t: Tensor, what: string): [number, number] {
  if (t.dtype === 'uint8') return [0, 255];
  if (t.dtype === 'int8') return [-128, 127];
  throw new DTypeError(`${what} must be uint8 or int8, got ${t.dtype}`);
}

/** Per-tensor scale and zero point (the only form these contrib ops accept). */
function qparams(scale: Tensor, zp: Tensor | undefined, data: Tensor, what: string): { s: number; z: number } {
  if (scale.size !== 1) throw new ShapeError(`${what}_scale must be a scalar (per-tensor), got ${formatShape(scale.shape)}`);
  if (zp && zp.size !== 1) throw new ShapeError(`${what}_zero_point must be a scalar (per-tensor), got ${formatShape(zp.shape)}`);
  if (zp && zp.dtype !== data.dtype) throw new DTypeError(`${what}_zero_point is ${zp.dtype} but ${what} is ${data.dtype}`);
  const s = readFloats(scale)[0];
  if (!(s > 0) || !Number.isFinite(s)) throw new ValueError(`${what}_scale must be finite and > 0, got ${s}`);
  return { s, z: zp ? zp.values()[0] : 0 };
}

/** QLinearAdd / QLinearMul with NumPy broadcasting; C has A's dtype. */
function qlinearBinary(kind: 'add' | 'mul', inputs: readonly (Tensor | undefined)[]): Tensor {
  const a = need(inputs, 0, 'A');
  const b = need(inputs, 3, 'B');
  const [lo, hi] = range8(a, 'input A');
  if (b.dtype !== a.dtype) throw new DTypeError(`input B is ${b.dtype} but A is ${a.dtype}`);
  const pa = qparams(need(inputs, 1, 'A_scale'), inputs[2], a, 'A');
  const pb = qparams(need(inputs, 4, 'B_scale'), inputs[5], b, 'B');
  const pc = qparams(need(inputs, 6, 'C_scale'), inputs[7], a, 'C');
  const shape = broadcastShapes(a.shape, b.shape);
  const out = allocateData(a.dtype, prod(shape));
  let fn: (x: number, y: number) => number;
  if (kind === 'add') {
    const ra = f(pa.s / pc.s);
    const rb = f(pb.s / pc.s);
    fn = (x, y) => requant(f(f(f(ra * (x - pa.z)) + f(rb * (y - pb.z))) + pc.z), lo, hi);
  } else {
    const m = f(f(pa.s * pb.s) / pc.s);
    fn = (x, y) => requant(f(f((x - pa.z) * (y - pb.z)) * m) + pc.z, lo, hi);
  }
  broadcastBinary(F32Op.Callback, fn, a.data, a.shape, b.data, b.shape, out, shape);
  return Tensor.from(a.dtype, shape, out);
}

/** QLinearConcat: inputs `Y_scale, Y_zero_point, (X, X_scale, X_zero_point)…`; each X is requantized to Y's params. */
function qlinearConcat(inputs: readonly (Tensor | undefined)[], axisAttr: number): Tensor {
  const ys = need(inputs, 0, 'Y_scale');
  const yz = need(inputs, 1, 'Y_zero_point');
  if ((inputs.length - 2) % 3 !== 0 || inputs.length < 5) throw new ShapeError(`expects Y_scale, Y_zero_point and triples (X, X_scale, X_zero_point); got ${inputs.length} inputs`);
  const [lo, hi] = range8(yz, 'Y_zero_point');
  const py = qparams(ys, yz, yz, 'Y');
  const parts: Tensor[] = [];
  for (let i = 2; i < inputs.length; i += 3) {
    const x = need(inputs, i, `X${(i - 2) / 3}`);
    if (x.dtype !== yz.dtype) throw new DTypeError(`input ${i} is ${x.dtype} but Y is ${yz.dtype}`);
    const px = qparams(need(inputs, i + 1, 'X_scale'), need(inputs, i + 2, 'X_zero_point'), x, `X${(i - 2) / 3}`);
    if (px.s === py.s && px.z === py.z) {
      parts.push(x);
      continue;
    }
    // A 256-entry table, as the value range is that small.
    const table = new Float64Array(256);
    for (let q = lo; q <= hi; q++) table[q - lo] = requant(f(f((q - px.z) * px.s) / py.s) + py.z, lo, hi);
    const d = x.data as Uint8Array | Int8Array;
    const o = allocateData(x.dtype, x.size) as Uint8Array | Int8Array;
    for (let j = 0; j < d.length; j++) o[j] = table[d[j] - lo];
    parts.push(Tensor.from(x.dtype, x.shape, o));
  }
  const rank = parts[0].rank;
  const axis = normalizeAxis(axisAttr, rank, 'axis');
  const outShape = parts[0].shape.slice();
  outShape[axis] = parts.reduce((s, t) => s + t.shape[axis], 0);
  for (const t of parts) {
    if (t.rank !== rank || t.shape.some((dd, k) => k !== axis && dd !== outShape[k])) {
      throw new ShapeError(`inputs ${parts.map((p) => formatShape(p.shape)).join(', ')} do not agree outside axis ${axis}`);
    }
  }
  const outer = prod(outShape, 0, axis);
  const inner = prod(outShape, axis + 1);
  const out = allocateData(yz.dtype, prod(outShape)) as Uint8Array | Int8Array;
  let off = 0;
  const outChunk = outShape[axis] * inner;
  for (const t of parts) {
    const chunk = t.shape[axis] * inner;
    const src = t.data as Uint8Array | Int8Array;
    for (let o = 0; o < outer; o++) out.set(src.subarray(o * chunk, (o + 1) * chunk), o * outChunk + off);
    off += chunk;
  }
  return Tensor.from(yz.dtype, outShape, out);
}

/** QLinearGlobalAveragePool (NCHW or NHWC): `y = round((Σx − zx·n) · sx / (sy · n)) + zy`. */
function qlinearGlobalAveragePool(inputs: readonly (Tensor | undefined)[], channelsLast: boolean): Tensor {
  const x = need(inputs, 0, 'X');
  const [lo, hi] = range8(x, 'input X');
  if (x.rank < 3) throw new ShapeError(`input X must have rank ≥ 3, got ${formatShape(x.shape)}`);
  const px = qparams(need(inputs, 1, 'x_scale'), inputs[2], x, 'x');
  const py = qparams(need(inputs, 3, 'y_scale'), inputs[4], x, 'y');
  const n = x.shape[0];
  const c = channelsLast ? x.shape[x.rank - 1] : x.shape[1];
  const image = channelsLast ? prod(x.shape, 1, x.rank - 1) : prod(x.shape, 2);
  const scale = f(px.s / f(py.s * image));
  const d = x.data as Uint8Array | Int8Array;
  const out = allocateData(x.dtype, n * c) as Uint8Array | Int8Array;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      let acc = 0;
      if (channelsLast) for (let j = 0; j < image; j++) acc += d[(b * image + j) * c + ch];
      else for (let j = 0, base = (b * c + ch) * image; j < image; j++) acc += d[base + j];
      acc -= px.z * image;
      out[b * c + ch] = requant(f(f(acc) * scale) + py.z, lo, hi);
    }
  }
  const ones = x.shape.slice(channelsLast ? 1 : 2, channelsLast ? x.rank - 1 : x.rank).map(() => 1);
  return Tensor.from(x.dtype, channelsLast ? [n, ...ones, c] : [n, c, ...ones], out);
}

/** DynamicQuantizeMatMul: A quantized to uint8 at run time, integer product with B, scaled by `a_scale · b_scale`, plus bias. */
function dynamicQuantizeMatMul(inputs: readonly (Tensor | undefined)[], opts: { backend?: import('@qint/kernels').KernelBackend } | undefined): Tensor {
  const a = need(inputs, 0, 'A');
  const b = need(inputs, 1, 'B');
  const bScale = need(inputs, 2, 'b_scale');
  const bZp = inputs[3];
  const bias = inputs[4];
  const [aq, aScale, aZp] = dynamicQuantizeLinear(a);
  const acc = matMulInteger(aq, b, aZp, bZp, opts);
  const n = acc.shape[acc.rank - 1];
  const bs = readFloats(bScale);
  if (bs.length !== 1 && bs.length !== n) throw new ShapeError(`b_scale must have 1 or ${n} elements, got ${formatShape(bScale.shape)}`);
  const as = (aScale.data as Float32Array)[0];
  const mult = new Float32Array(n);
  for (let j = 0; j < n; j++) mult[j] = as * bs[bs.length === 1 ? 0 : j];
  let bd: Float32Array | undefined;
  if (bias) {
    if (bias.dtype !== 'float32' || bias.size !== n) throw new ShapeError(`bias must be float32 [${n}], got ${bias.dtype} ${formatShape(bias.shape)}`);
    bd = bias.data as Float32Array;
  }
  const src = acc.data as Int32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const j = i % n;
    const y = f(src[i] * mult[j]);
    out[i] = bd ? y + bd[j] : y;
  }
  return Tensor.from('float32', acc.shape, out);
}

/** MatMulNBits attributes. */
interface NBitsSpec {
  readonly k: number;
  readonly n: number;
  readonly bits: number;
  readonly blockSize: number;
}

/** Dequantizes MatMulNBits weights to float32 `[K, N]` (the layout MatMul wants). */
export function dequantizeNBits(b: Tensor, scales: Tensor, zeroPoints: Tensor | undefined, spec: NBitsSpec): Tensor {
  const { k, n, bits, blockSize } = spec;
  if (b.dtype !== 'uint8') throw new DTypeError(`B must be uint8, got ${b.dtype}`);
  const nBlocks = Math.ceil(k / blockSize);
  const blob = (blockSize * bits) / 8;
  if (b.size !== n * nBlocks * blob) throw new ShapeError(`B ${formatShape(b.shape)} must hold N·ceil(K/block_size)·block_size·bits/8 = ${n * nBlocks * blob} bytes`);
  const s = readFloats(scales);
  if (s.length !== n * nBlocks) throw new ShapeError(`scales ${formatShape(scales.shape)} must have N·ceil(K/block_size) = ${n * nBlocks} elements`);
  const mask = (1 << bits) - 1;
  const bd = b.data as Uint8Array;
  const readBits = (bytes: Uint8Array, byteBase: number, bitOffset: number): number => {
    const at = byteBase + (bitOffset >> 3);
    const word = bytes[at] | ((bytes[at + 1] ?? 0) << 8);
    return (word >> (bitOffset & 7)) & mask;
  };
  let zpOf: (row: number, block: number) => number;
  if (!zeroPoints) zpOf = () => 1 << (bits - 1);
  else if (zeroPoints.dtype === 'uint8') {
    const zd = zeroPoints.data as Uint8Array;
    const perRow = Math.ceil((nBlocks * bits) / 8);
    if (zd.length === n * perRow) zpOf = (row, block) => readBits(zd, row * perRow, block * bits);
    else if (zd.length === n * nBlocks) zpOf = (row, block) => zd[row * nBlocks + block];
    else throw new ShapeError(`zero_points ${formatShape(zeroPoints.shape)} must be packed (${n * perRow} bytes) or one per block (${n * nBlocks})`);
  } else {
    const zf = readFloats(zeroPoints);
    if (zf.length !== n * nBlocks) throw new ShapeError(`float zero_points must have ${n * nBlocks} elements, got ${zf.length}`);
    zpOf = (row, block) => zf[row * nBlocks + block];
  }
  const out = new Float32Array(k * n);
  for (let row = 0; row < n; row++) {
    for (let blk = 0; blk < nBlocks; blk++) {
      const scale = s[row * nBlocks + blk];
      const zp = zpOf(row, blk);
      const base = (row * nBlocks + blk) * blob;
      for (let j = 0; j < blockSize; j++) {
        const kk = blk * blockSize + j;
        if (kk >= k) break;
        out[kk * n + row] = (readBits(bd, base, j * bits) - zp) * scale;
      }
    }
  }
  return Tensor.from('float32', [k, n], out);
}

/**
 * QLinearSigmoid / QLinearLeakyRelu: a 256-entry table of `quantize(f(dequantize(q)))`, as onnxruntime builds it.
 */
function qlinearLookup(inputs: readonly (Tensor | undefined)[], fn: (v: number) => number): Tensor {
  const x = need(inputs, 0, 'X');
  const [lo, hi] = range8(x, 'input X');
  const px = qparams(need(inputs, 1, 'X_scale'), inputs[2], x, 'X');
  const py = qparams(need(inputs, 3, 'Y_scale'), inputs[4], x, 'Y');
  const table = new Int32Array(256);
  for (let q = lo; q <= hi; q++) table[q - lo] = requant(fn(f((q - px.z) * px.s)) / py.s + py.z, lo, hi);
  const d = x.data as Uint8Array | Int8Array;
  const out = allocateData(x.dtype, x.size) as Uint8Array | Int8Array;
  for (let i = 0; i < d.length; i++) out[i] = table[d[i] - lo];
  return Tensor.from(x.dtype, x.shape, out);
}

/** QLinearAveragePool (NCHW): dequantize, float AveragePool, requantize. */
function qlinearAveragePool(inputs: readonly (Tensor | undefined)[], options: PoolOptions): Tensor {
  const x = need(inputs, 0, 'X');
  const [lo, hi] = range8(x, 'input X');
  const px = qparams(need(inputs, 1, 'x_scale'), inputs[2], x, 'x');
  const py = qparams(need(inputs, 3, 'y_scale'), inputs[4], x, 'y');
  const d = x.data as Uint8Array | Int8Array;
  const deq = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) deq[i] = (d[i] - px.z) * px.s;
  const [avg] = pool2d(Tensor.from('float32', x.shape, deq), 'avg', options);
  const a = avg.data as Float32Array;
  const out = allocateData(x.dtype, a.length) as Uint8Array | Int8Array;
  for (let i = 0; i < a.length; i++) out[i] = requant(f(a[i] / py.s) + py.z, lo, hi);
  return Tensor.from(x.dtype, avg.shape, out);
}

/**
 * QGemm: `acc = (A' − za)(B' − zb) + C` in int32 (C is an int32 bias quantized with scale `alpha·sa·sb`), then
 * `y = acc · alpha·sa·sb[n]` as float32, or requantized to `y_scale`/`y_zero_point` when they are given.
 */
function qgemm(inputs: readonly (Tensor | undefined)[], alpha: number, transA: boolean, transB: boolean, opts: { backend?: import('@qint/kernels').KernelBackend } | undefined): Tensor {
  let a = need(inputs, 0, 'A');
  let b = need(inputs, 3, 'B');
  if (a.rank !== 2 || b.rank !== 2) throw new ShapeError(`A ${formatShape(a.shape)} and B ${formatShape(b.shape)} must be 2-D`);
  if (transA) a = a.transpose();
  if (transB) b = b.transpose();
  const n = b.shape[1];
  const sa = readFloats(need(inputs, 1, 'a_scale'));
  const sb = readFloats(need(inputs, 4, 'b_scale'));
  if (sa.length !== 1) throw new ShapeError(`a_scale must be a scalar, got ${sa.length} elements`);
  if (sb.length !== 1 && sb.length !== n) throw new ShapeError(`b_scale must have 1 or ${n} elements, got ${sb.length}`);
  const acc = matMulInteger(a, b, inputs[2], inputs[5], opts);
  const ad = acc.data as Int32Array;
  const c = inputs[6];
  if (c) {
    if (c.dtype !== 'int32') throw new DTypeError(`C must be int32, got ${c.dtype}`);
    const shape = broadcastShapes(acc.shape, c.shape);
    if (shape.length !== 2 || shape[0] !== acc.shape[0] || shape[1] !== n) throw new ShapeError(`C ${formatShape(c.shape)} does not broadcast to ${formatShape(acc.shape)}`);
    broadcastBinary(F32Op.Callback, (x: number, y: number) => x + y, ad, acc.shape, c.data, c.shape, ad, acc.shape);
  }
  const mult = new Float32Array(n);
  for (let j = 0; j < n; j++) mult[j] = f(f(alpha * sa[0]) * sb[sb.length === 1 ? 0 : j]);
  const ys = inputs[7];
  if (!ys) {
    const out = new Float32Array(ad.length);
    for (let i = 0; i < ad.length; i++) out[i] = f(ad[i]) * mult[i % n];
    return Tensor.from('float32', acc.shape, out);
  }
  const yzp = inputs[8];
  const outType = yzp ? yzp.dtype : 'uint8';
  const [lo, hi] = outType === 'int8' ? [-128, 127] : outType === 'uint8' ? [0, 255] : range8(yzp!, 'y_zero_point');
  const py = qparams(ys, yzp, yzp ?? Tensor.scalar('uint8', 0), 'y');
  const out = allocateData(outType, ad.length) as Uint8Array | Int8Array;
  for (let j = 0; j < n; j++) mult[j] = f(mult[j] / py.s);
  for (let i = 0; i < ad.length; i++) out[i] = requant(f(f(ad[i]) * mult[i % n]) + py.z, lo, hi);
  return Tensor.from(outType, acc.shape, out);
}

/** All com.microsoft contrib op definitions. */
export const contribOps: readonly OpDefinition[] = [
  msOp('QLinearAdd', 1, () => (inputs) => [qlinearBinary('add', inputs)], (_ctx, inputs) => [{ dtype: inputs[0]?.dtype, shape: broadcastDims(inputs[0]?.shape, inputs[3]?.shape) }]),
  msOp('QLinearMul', 1, () => (inputs) => [qlinearBinary('mul', inputs)], (_ctx, inputs) => [{ dtype: inputs[0]?.dtype, shape: broadcastDims(inputs[0]?.shape, inputs[3]?.shape) }]),
  msOp(
    'QLinearConcat',
    1,
    (ctx) => {
      const axis = ctx.attrs.int('axis') ?? ctx.attrs.fail('attribute "axis" is required');
      return (inputs) => [qlinearConcat(inputs, axis)];
    },
    (_ctx, inputs) => [{ dtype: inputs[1]?.dtype }],
  ),
  msOp(
    'QLinearGlobalAveragePool',
    1,
    (ctx) => {
      const channelsLast = ctx.attrs.int('channels_last', 0) === 1;
      return (inputs) => [qlinearGlobalAveragePool(inputs, channelsLast)];
    },
    (ctx, inputs) => {
      const x = inputs[0];
      const last = ctx.attrs.int('channels_last', 0) === 1;
      if (!x?.shape) return [{ dtype: x?.dtype }];
      const r = x.shape.length;
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (i === 0 || (last ? i === r - 1 : i === 1) ? d : 1)) }];
    },
  ),
  msOp(
    'DynamicQuantizeMatMul',
    1,
    (ctx) => {
      const opts = ctx.backend ? { backend: ctx.backend } : undefined;
      return (inputs) => [dynamicQuantizeMatMul(inputs, opts)];
    },
    (_ctx, inputs) => {
      const [a, b] = inputs;
      return [{ dtype: 'float32', shape: a?.shape && b?.shape ? [...a.shape.slice(0, -1), b.shape[b.shape.length - 1]] : undefined }];
    },
  ),
  msOp(
    'MatMulNBits',
    1,
    (ctx) => {
      const a = ctx.attrs;
      const spec: NBitsSpec = {
        k: a.int('K') ?? a.fail('attribute "K" is required'),
        n: a.int('N') ?? a.fail('attribute "N" is required'),
        bits: a.int('bits', 4),
        blockSize: a.int('block_size') ?? a.fail('attribute "block_size" is required'),
      };
      if (![2, 3, 4, 8].includes(spec.bits)) throw new UnsupportedVariant(`bits = ${spec.bits} is not supported (2, 3, 4, 8 are)`);
      if (spec.blockSize < 16 || (spec.blockSize & (spec.blockSize - 1)) !== 0) a.fail(`block_size must be a power of two ≥ 16, got ${spec.blockSize}`);
      if ((ctx.node.inputs[4] ?? '') !== '') throw new UnsupportedVariant('the g_idx input (act-order) is not supported');
      const opts = ctx.backend ? { backend: ctx.backend } : undefined;
      // Constant weights are dequantized once, at load.
      const b0 = ctx.constant(1);
      const s0 = ctx.constant(2);
      const hasZp = (ctx.node.inputs[3] ?? '') !== '';
      const z0 = hasZp ? ctx.constant(3) : undefined;
      const pre = b0 && s0 && (!hasZp || z0) ? dequantizeNBits(b0, s0, z0, spec) : undefined;
      return (inputs) => {
        const w = pre ?? dequantizeNBits(need(inputs, 1, 'B'), need(inputs, 2, 'scales'), inputs[3], spec);
        const x = need(inputs, 0, 'A');
        if (x.rank === 0 || x.shape[x.rank - 1] !== spec.k) throw new ShapeError(`input A ${formatShape(x.shape)} must end in K = ${spec.k}`);
        let y = matMul(x, w, opts);
        const bias = inputs[5];
        if (bias) {
          if (bias.size !== spec.n) throw new ShapeError(`bias must have N = ${spec.n} elements, got ${formatShape(bias.shape)}`);
          const out = new Float32Array(y.size);
          const yd = y.data as Float32Array;
          const bd = readFloats(bias);
          for (let i = 0; i < yd.length; i++) out[i] = yd[i] + bd[i % spec.n];
          y = Tensor.from('float32', y.shape, out);
        }
        return [y];
      };
    },
    (ctx, inputs) => [{ dtype: 'float32', shape: inputs[0]?.shape ? [...inputs[0].shape.slice(0, -1), ctx.attrs.int('N')] : undefined }],
  ),
  msOp(
    'QLinearAveragePool',
    1,
    (ctx) => {
      if (ctx.attrs.int('channels_last', 0) !== 0) throw new UnsupportedVariant('channels_last = 1 is not supported');
      const options = poolOptions(ctx, 'avg');
      return (inputs) => [qlinearAveragePool(inputs, options)];
    },
    (_ctx, inputs) => [{ dtype: inputs[0]?.dtype }],
  ),
  msOp(
    'QGemm',
    1,
    (ctx) => {
      const alpha = ctx.attrs.float('alpha', 1);
      const transA = ctx.attrs.int('transA', 0) === 1;
      const transB = ctx.attrs.int('transB', 0) === 1;
      const opts = ctx.backend ? { backend: ctx.backend } : undefined;
      return (inputs) => [qgemm(inputs, alpha, transA, transB, opts)];
    },
    (ctx, inputs) => {
      const [a, b] = [inputs[0], inputs[3]];
      const ta = ctx.attrs.int('transA', 0) === 1;
      const tb = ctx.attrs.int('transB', 0) === 1;
      const dtype = inputs[7] ? (inputs[8]?.dtype ?? 'uint8') : 'float32';
      return [{ dtype, shape: [a?.shape?.[ta ? 1 : 0], b?.shape?.[tb ? 0 : 1]] }];
    },
  ),
  msOp(
    'QLinearSigmoid',
    1,
    () => (inputs) => [qlinearLookup(inputs, (v) => f(1 / (1 + Math.exp(-v))))],
    (_ctx, inputs) => [{ dtype: inputs[0]?.dtype, shape: inputs[0]?.shape }],
  ),
  msOp(
    'QLinearLeakyRelu',
    1,
    (ctx) => {
      const alpha = f(ctx.attrs.float('alpha', 0.01));
      return (inputs) => [qlinearLookup(inputs, (v) => (v >= 0 ? v : f(alpha * v)))];
    },
    (_ctx, inputs) => [{ dtype: inputs[0]?.dtype, shape: inputs[0]?.shape }],
  ),
  msOp(
    'QuantizeLinear',
    1,
    (ctx) => {
      const options = { axis: ctx.attrs.int('axis', 1), ...(ctx.backend ? { backend: ctx.backend } : {}) };
      return (inputs) => [quantizeLinear(need(inputs, 0, 'x'), need(inputs, 1, 'y_scale'), inputs[2], options)];
    },
    (_ctx, inputs) => [{ dtype: inputs[2]?.dtype ?? 'uint8', shape: inputs[0]?.shape }],
  ),
  msOp(
    'DequantizeLinear',
    1,
    (ctx) => {
      const options = { axis: ctx.attrs.int('axis', 1), ...(ctx.backend ? { backend: ctx.backend } : {}) };
      return (inputs) => [dequantizeLinear(need(inputs, 0, 'x'), need(inputs, 1, 'x_scale'), inputs[2], options)];
    },
    (_ctx, inputs) => [{ dtype: 'float32', shape: inputs[0]?.shape }],
  ),
];
