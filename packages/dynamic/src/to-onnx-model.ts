import { MS_DOMAIN, QINT_DOMAIN, dynamicConvWeight, unpack3Bit, type Attribute, type Graph, type Model, type Node } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { convAttributes, intAttr as int } from './node-utils';
import { QuantizeError } from './quantize-error';
import { graphNamer } from './unique-namer';
import { isDynamicRecurrent, recurrentToOnnx } from './recurrent-to-onnx';
import { toOnnxWithSubgraphs } from './to-onnx-subgraphs';

/** Options of {@link toOnnxModel}. */
export interface ToOnnxOptions {
  /**
   * `'standard'` (default): only ai.onnx ops — DynamicQuantizeLinear → MatMulInteger / ConvInteger → Cast → Mul
   * (→ Add bias), onnxruntime's own dynamic pattern (per-row layers: the same arithmetic spelled out with
   * ReduceMin/ReduceMax/Round/Clip, since DynamicQuantizeLinear is per tensor); sub-byte per-channel weights are widened to 8 bits, per-block
   * weights have no form. `'matmulnbits'`: 4/2-bit and per-block linear layers become com.microsoft `MatMulNBits`
   * (weights stay 4/2 bits; onnxruntime then multiplies float activations, not quantized ones), 8-bit per-channel
   * layers keep the standard pattern.
   */
  flavour?: 'standard' | 'matmulnbits';
  /**
   * Storage of 8-bit MatMul weights: `'uint8'` (default: values and zero points shifted by +128, the same integers
   * after the zero point, which onnxruntime multiplies as u8 × u8 exactly on every CPU) or `'int8'` (the full-range
   * u8 × s8 form; onnxruntime's x86 kernels without AVX-512 VNNI / AVX-VNNI saturate each pair of u8·s8 products
   * to int16 there, so the model gives wrong outputs on those CPUs — use it only for VNNI or ARM targets).
   */
  matMulWeightType?: 'int8' | 'uint8';
  /** Storage of conv weights: `'uint8'` (default; exact on every CPU, as for MatMul) or `'int8'` (saturates as above). */
  convWeightType?: 'int8' | 'uint8';
}

/** Signed weight values of a DynamicLinear/DynamicConv weight initializer. */
function signedValues(w: Tensor, bits: number, count: number): Int8Array {
  if (bits === 3 && w.dtype === 'uint8') return unpack3Bit(w.data as Uint8Array, count);
  const v = w.values();
  return v instanceof Int8Array ? v : Int8Array.from(v);
}

function nextPow2(v: number): number {
  let p = 16;
  while (p < v) p *= 2;
  return p;
}

/**
 * Rewrites a model quantized by {@link quantizeDynamic} into ONNX operators that onnxruntime runs: each
 * `ai.qint::DynamicLinear` / `DynamicConv` becomes the standard dynamic pattern (or `com.microsoft::MatMulNBits`, see
 * {@link ToOnnxOptions.flavour}). The result is a `Model` for `encodeModel` of @qint/onnx; the input is not modified.
 * The qint executor runs the result too (its registry implements these ops).
 *
 * @param model - a model from {@link quantizeDynamic}
 * @param options - {@link ToOnnxOptions}
 * @returns the ONNX-only model
 * @throws {@link QuantizeError} for a layer with no form in the chosen flavour: 3-bit weights (onnxruntime has no
 *   3-bit kernel), per-block weights in `'standard'`, a MatMulNBits block size
 *   that is not a power of two ≥ 16
 * @example
 * ```ts
 * const onnx = toOnnxModel(quantizeDynamic(model).model);
 * writeFileSync('model.int8.onnx', encodeModel(onnx));
 * ```
 */
export function toOnnxModel(model: Model, options: ToOnnxOptions = {}): Model {
  return toOnnxWithSubgraphs(model, options, toOnnxGraph);
}

/** toOnnxModel of one graph (subgraphs are converted by toOnnxWithSubgraphs, as graphs of their own). */
function toOnnxGraph(model: Model, options: ToOnnxOptions): Model {
  const flavour = options.flavour ?? 'standard';
  if (flavour !== 'standard' && flavour !== 'matmulnbits') throw new QuantizeError(`toOnnxModel: "flavour" must be 'standard' or 'matmulnbits', got ${String(flavour)}`);
  for (const key of ['matMulWeightType', 'convWeightType'] as const) {
    const v = options[key];
    if (v !== undefined && v !== 'uint8' && v !== 'int8') throw new QuantizeError(`toOnnxModel: "${key}" must be 'uint8' or 'int8', got ${JSON.stringify(v)}`);
  }
  const g = model.graph;
  const initializers = new Map(g.initializers);
  const fresh = graphNamer(g);
  const addInit = (base: string, t: Tensor): string => {
    const name = fresh(base);
    initializers.set(name, t);
    return name;
  };
  const mk = (base: string, opType: string, inputs: string[], outputs: string[], attributes: Record<string, Attribute> = {}, domain = ''): Node => ({
    name: fresh(`${base}_${opType}`),
    opType,
    domain,
    inputs,
    outputs,
    attributes,
  });
  const nodes: Node[] = [];
  let usesMs = false;
  const exportOpset = Math.max(model.opsetImports[''] ?? model.opsetImports['ai.onnx'] ?? 1, 11);
  let shared: Record<string, string> | undefined;
  const constants = (): Record<string, string> => {
    shared ??= {
      zero: addInit('qint_const_zero', Tensor.from('float32', [], [0])),
      one: addInit('qint_const_one', Tensor.from('float32', [], [1])),
      c255: addInit('qint_const_255', Tensor.from('float32', [], [255])),
      start: addInit('qint_const_slice_start', Tensor.from('int64', [1], [0])),
      end: addInit('qint_const_slice_end', Tensor.from('int64', [1], [-1])),
      axis0: addInit('qint_const_axis0', Tensor.from('int64', [1], [0])),
      axis1: addInit('qint_const_axis1', Tensor.from('int64', [1], [1])),
    };
    return shared;
  };
  /**
   * Per-row (per-token) dynamic quantization in standard ops, with the float steps of qint's kernel:
   * scale = (max(0, max row) − min(0, min row)) / 255, zp = clamp(round(−min / scale)), q = clamp(round(x / scale) + zp);
   * the row zero points are applied after MatMulInteger as zp[m] · Σk (b − bzp) (onnxruntime's MatMulInteger takes
   * one activation zero point), and y = float(acc) · fround(scale[m] · w_scale[n]) (+ bias).
   */
  const perRowLinear = (base: string, x: string, y: string, k: number, n: number, bName: string, bzName: string, sName: string,
    b: Int8Array | Uint8Array, bz: number[], biasName: string): Node[] => {
    const c = constants();
    const t = (v: string): string => fresh(`${base}_${v}`);
    const colSum = new Int32Array(n);
    for (let r = 0; r < k; r++) for (let col = 0; col < n; col++) colSum[col] += b[r * n + col] - bz[col];
    const csName = addInit(`${base}_B_column_sums`, Tensor.from('int32', [n], colSum));
    const flat = addInit(`${base}_rows_shape`, Tensor.from('int64', [2], [-1, k]));
    const nDim = addInit(`${base}_N`, Tensor.from('int64', [1], [n]));
    const reduce = (op: string, input: string, output: string): Node =>
      exportOpset >= 18 ? mk(base, op, [input, c.axis1], [output], { keepdims: int(1) }) : mk(base, op, [input], [output], { axes: { type: 'ints', value: [1] }, keepdims: int(1) });
    const [x2, lo, hi, lo0, hi0, range, raw, isZero, scale, negLo, zf, zr, zp, xd, xr, xa, xc, xq, a, zi, corr, acc, accF, sc, y2, y3, inShape, lead, outShape] = [
      'x_rows', 'row_min', 'row_max', 'row_min0', 'row_max0', 'row_range', 'row_scale_raw', 'row_scale_is_zero', 'row_scale', 'neg_min',
      'row_zp_f', 'row_zp_round', 'row_zp', 'x_div', 'x_round', 'x_shift', 'x_clip', 'x_q', 'acc_raw', 'row_zp_i32', 'zp_term', 'acc',
      'acc_f', 'scale', 'y_rows', 'y_rows_bias', 'x_shape', 'x_lead_dims', 'y_shape',
    ].map(t);
    return [
      mk(base, 'Reshape', [x, flat], [x2]),
      reduce('ReduceMin', x2, lo),
      reduce('ReduceMax', x2, hi),
      mk(base, 'Min', [lo, c.zero], [lo0]),
      mk(base, 'Max', [hi, c.zero], [hi0]),
      mk(base, 'Sub', [hi0, lo0], [range]),
      mk(base, 'Div', [range, c.c255], [raw]),
      // An all-zero row has scale 0: divide by 1 instead (its values are 0, so q = zp = 0 and the row's output is 0).
      mk(base, 'Equal', [raw, c.zero], [isZero]),
      mk(base, 'Where', [isZero, c.one, raw], [scale]),
      mk(base, 'Neg', [lo0], [negLo]),
      mk(base, 'Div', [negLo, scale], [zf]),
      mk(base, 'Round', [zf], [zr]),
      mk(base, 'Clip', [zr, c.zero, c.c255], [zp]),
      mk(base, 'Div', [x2, scale], [xd]),
      mk(base, 'Round', [xd], [xr]),
      mk(base, 'Add', [xr, zp], [xa]),
      mk(base, 'Clip', [xa, c.zero, c.c255], [xc]),
      mk(base, 'Cast', [xc], [xq], { to: int(2) }),
      mk(base, 'MatMulInteger', bzName ? [xq, bName, '', bzName] : [xq, bName], [a]),
      mk(base, 'Cast', [zp], [zi], { to: int(6) }),
      mk(base, 'Mul', [zi, csName], [corr]),
      mk(base, 'Sub', [a, corr], [acc]),
      mk(base, 'Cast', [acc], [accF], { to: int(1) }),
      mk(base, 'Mul', [scale, sName], [sc]),
      mk(base, 'Mul', [accF, sc], [y2]),
      ...(biasName ? [mk(base, 'Add', [y2, biasName], [y3])] : []),
      mk(base, 'Shape', [x], [inShape]),
      mk(base, 'Slice', [inShape, c.start, c.end, c.axis0], [lead]),
      mk(base, 'Concat', [lead, nDim], [outShape], { axis: int(0) }),
      mk(base, 'Reshape', [biasName ? y3 : y2, outShape], [y]),
    ];
  };
  const used = new Set<string>();

  for (const node of g.nodes) {
    if (node.domain !== QINT_DOMAIN) {
      nodes.push(qattentionWeightsAsUint8(node, g, initializers, addInit, options.matMulWeightType ?? 'uint8'));
      continue;
    }
    const label = node.name;
    const fail = (why: string): never => {
      throw new QuantizeError(`toOnnxModel: ${node.opType} "${label}": ${why}`, { node: label });
    };
    const attr = (name: string, fallback: number): number => {
      const a = node.attributes[name];
      return a && a.type === 'int' ? a.value : fallback;
    };
    const input = (i: number): Tensor | undefined => (node.inputs[i] ? initializers.get(node.inputs[i]) : undefined);
    for (const i of node.inputs.slice(1)) if (i) used.add(i);
    const [x] = node.inputs;
    const y = node.outputs[0];
    const base = label || y;

    if (node.opType === 'DynamicLinear') {
      const bits = attr('bits', 8);
      const blockSize = attr('block_size', 0);
      const k = attr('K', 0);
      const n = attr('N', 0);
      if (bits === 3) fail('3-bit weights have no onnxruntime form (no 3-bit kernel in ai.onnx or com.microsoft); quantize this layer with 8, 4 or 2 bits, or keep the .qint/ai.qint model');
      const perRow = attr('per_row', 0) === 1;
      const w = input(1);
      const s = input(2);
      if (!w || !s) fail('weight and scales must be initializers');
      const zp = input(3);
      const bias = input(4);
      const values = signedValues(w!, bits, n * k);
      const scales = Float32Array.from(s!.values());
      const zps = zp ? Int32Array.from(zp.values()) : undefined;
      const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
      const nbits = flavour === 'matmulnbits' && (bits !== 8 || blockSize > 0);
      if (!nbits) {
        if (blockSize > 0) fail(`per-block weights (block ${blockSize}) have no standard ONNX form; use flavour 'matmulnbits' (4/2/8-bit) or per-channel weights`);
        const u8 = (options.matMulWeightType ?? 'uint8') === 'uint8';
        // MatMulInteger wants B [K, N]; zero points per column.
        const b = u8 ? new Uint8Array(k * n) : new Int8Array(k * n);
        for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) b[c * n + r] = values[r * k + c] + (u8 ? 128 : 0);
        const bName = addInit(`${base}_B`, Tensor.from(u8 ? 'uint8' : 'int8', [k, n], b));
        let bzName = '';
        if (zps || u8) {
          const z = Array.from({ length: scales.length }, (_, i) => (zps ? zps[i] : 0) + (u8 ? 128 : 0));
          bzName = addInit(`${base}_B_zero_point`, Tensor.from(u8 ? 'uint8' : 'int8', [z.length], z));
        }
        const sName = addInit(`${base}_B_scale`, Tensor.from('float32', [scales.length], scales));
        if (perRow) {
          const bz = Array.from({ length: n }, (_, i) => (zps ? zps[zps.length === 1 ? 0 : i] : 0) + (u8 ? 128 : 0));
          nodes.push(...perRowLinear(base, x, y, k, n, bName, bzName, sName, b, bz, bias ? node.inputs[4] : ''));
          continue;
        }
        const [xq, xs, xz, acc, accF, sc, yNoBias] = ['x_q', 'x_scale', 'x_zero_point', 'acc', 'acc_f', 'scale', 'no_bias'].map((v) => fresh(`${base}_${v}`));
        nodes.push(
          mk(base, 'DynamicQuantizeLinear', [x], [xq, xs, xz]),
          mk(base, 'MatMulInteger', [xq, bName, xz, bzName], [acc]),
          mk(base, 'Cast', [acc], [accF], { to: int(1) }),
          mk(base, 'Mul', [xs, sName], [sc]),
        );
        if (bias) nodes.push(mk(base, 'Mul', [accF, sc], [yNoBias]), mk(base, 'Add', [yNoBias, node.inputs[4]], [y]));
        else nodes.push(mk(base, 'Mul', [accF, sc], [y]));
        continue;
      }
      // com.microsoft::MatMulNBits: B uint8 [N, blocks, bs·bits/8], unsigned values low bits first, default zero point 2^(bits−1).
      if (bits !== 8 && bits !== 4 && bits !== 2) fail(`MatMulNBits has no ${bits}-bit form`);
      const bs = blockSize > 0 ? blockSize : nextPow2(k);
      if (bs < 16 || (bs & (bs - 1)) !== 0) fail(`MatMulNBits needs a block size that is a power of two ≥ 16, got ${bs}; requantize with blockSize 16/32/64/128`);
      const blocks = Math.ceil(k / bs);
      const blob = (bs * bits) / 8;
      const perByte = 8 / bits;
      const offset = 2 ** (bits - 1);
      const packed = new Uint8Array(n * blocks * blob);
      const scaleOut = new Float32Array(n * blocks);
      const zpOut = zps ? new Array<number>(n * blocks) : undefined;
      for (let r = 0; r < n; r++) {
        for (let blk = 0; blk < blocks; blk++) {
          const gi = scales.length === 1 ? 0 : blockSize > 0 ? r * groups + blk : r;
          scaleOut[r * blocks + blk] = scales[gi];
          if (zpOut) zpOut[r * blocks + blk] = zps![zps!.length === 1 ? 0 : gi] + offset;
          const z = zpOut ? zpOut[r * blocks + blk] : offset;
          for (let j = 0; j < bs; j++) {
            const c = blk * bs + j;
            // Padding past K holds the zero point, so it dequantizes to exactly 0.
            const u = c < k ? values[r * k + c] + offset : z;
            const at = (r * blocks + blk) * blob + Math.floor(j / perByte);
            packed[at] |= u << ((j % perByte) * bits);
          }
        }
      }
      const inputs = [x, addInit(`${base}_B_nbits`, Tensor.from('uint8', [n, blocks, blob], packed)), addInit(`${base}_scales`, Tensor.from('float32', [n * blocks], scaleOut))];
      if (zpOut) {
        const zb = Math.ceil((blocks * bits) / 8);
        const zPacked = new Uint8Array(n * zb);
        for (let r = 0; r < n; r++) for (let blk = 0; blk < blocks; blk++) zPacked[r * zb + Math.floor(blk / perByte)] |= zpOut[r * blocks + blk] << ((blk % perByte) * bits);
        inputs.push(addInit(`${base}_zero_points`, Tensor.from('uint8', [n * zb], zPacked)));
      }
      usesMs = true;
      const attrs = { K: int(k), N: int(n), bits: int(bits), block_size: int(bs) };
      if (bias) {
        const noBias = fresh(`${base}_no_bias`);
        nodes.push(mk(base, 'MatMulNBits', inputs, [noBias], attrs, MS_DOMAIN), mk(base, 'Add', [noBias, node.inputs[4]], [y]));
      } else nodes.push(mk(base, 'MatMulNBits', inputs, [y], attrs, MS_DOMAIN));
      continue;
    }

    if (isDynamicRecurrent(node.opType)) {
      const done = recurrentToOnnx(node, { input, addInit, mk, fresh, fail });
      nodes.push(...done.nodes);
      usesMs ||= done.usesMs;
      continue;
    }

    if (node.opType === 'DynamicConv') {
      const w = input(1);
      const s = input(2);
      if (!w || !s) fail('weight and scales must be initializers');
      const zp = input(3);
      const bias = input(4);
      // Sub-byte weights (including a 3-bit stream) are widened to the 8-bit ConvInteger form.
      const weight = dynamicConvWeight(node, w!);
      const m = weight.shape[0];
      const u8 = (options.convWeightType ?? 'uint8') === 'uint8';
      const values = weight.data;
      const wOut = u8 ? Uint8Array.from(values, (v) => v + 128) : Int8Array.from(values);
      const wName = addInit(`${base}_W`, Tensor.from(u8 ? 'uint8' : 'int8', weight.shape, wOut));
      const z = zp ? Array.from(zp.values()) : [0];
      const zAll = z.map((v) => v + (u8 ? 128 : 0));
      // onnxruntime's ConvInteger takes a scalar weight zero point only. Per-channel zero points are applied exactly
      // afterwards: Σ(x − xz)(w − zw[m]) = ConvInteger(x, w) − zw[m] · ConvInteger(x, ones), all in int32.
      const zScalar = zAll.every((v) => v === zAll[0]);
      let zName = '';
      if ((zp || u8) && zScalar) zName = addInit(`${base}_W_zero_point`, Tensor.from(u8 ? 'uint8' : 'int8', [], [zAll[0]]));
      const spatial = weight.rank - 2;
      const bshape = [s!.size, ...new Array<number>(spatial).fill(1)];
      const sName = addInit(`${base}_W_scale`, Tensor.from('float32', bshape, Float32Array.from(s!.values())));
      const [xq, xs, xz, acc, accF, sc, yNoBias] = ['x_q', 'x_scale', 'x_zero_point', 'acc', 'acc_f', 'scale', 'no_bias'].map((v) => fresh(`${base}_${v}`));
      const convAttrs = convAttributes(node);
      nodes.push(mk(base, 'DynamicQuantizeLinear', [x], [xq, xs, xz]));
      if (zScalar) nodes.push(mk(base, 'ConvInteger', [xq, wName, xz, zName], [acc], convAttrs));
      else {
        const [raw, windowSum, correction] = ['acc_raw', 'window_sum', 'zero_point_term'].map((v) => fresh(`${base}_${v}`));
        const ones = addInit(`${base}_ones`, Tensor.from('uint8', weight.shape, new Uint8Array(weight.size).fill(1)));
        const zw = addInit(`${base}_W_zero_point`, Tensor.from('int32', [m, ...new Array<number>(weight.rank - 2).fill(1)], Int32Array.from(zAll)));
        nodes.push(
          mk(base, 'ConvInteger', [xq, wName, xz], [raw], convAttrs),
          mk(base, 'ConvInteger', [xq, ones, xz], [windowSum], convAttrs),
          mk(base, 'Mul', [windowSum, zw], [correction]),
          mk(base, 'Sub', [raw, correction], [acc]),
        );
      }
      nodes.push(
        mk(base, 'Cast', [acc], [accF], { to: int(1) }),
        mk(base, 'Mul', [xs, sName], [sc]),
      );
      if (bias) {
        const bName = addInit(`${base}_B`, Tensor.from('float32', [m, ...new Array<number>(spatial).fill(1)], Float32Array.from(bias.values())));
        nodes.push(mk(base, 'Mul', [accF, sc], [yNoBias]), mk(base, 'Add', [yNoBias, bName], [y]));
      } else nodes.push(mk(base, 'Mul', [accF, sc], [y]));
      continue;
    }
    fail(`unknown ${QINT_DOMAIN} op`);
  }
  // Drop the ai.qint initializers nothing references any more.
  const referenced = new Set<string>(g.outputs.map((o) => o.name));
  for (const n of nodes) for (const i of n.inputs) referenced.add(i);
  for (const name of used) if (!referenced.has(name)) initializers.delete(name);
  const opsetImports: Record<string, number> = { ...model.opsetImports };
  delete opsetImports[QINT_DOMAIN];
  const onnx = opsetImports[''] ?? opsetImports['ai.onnx'] ?? 1;
  delete opsetImports['ai.onnx'];
  // DynamicQuantizeLinear needs opset 11.
  opsetImports[''] = Math.max(onnx, 11);
  if (usesMs) opsetImports[MS_DOMAIN] = 1;
  const graph: Graph = { ...g, nodes, initializers };
  return { ...model, irVersion: Math.max(model.irVersion, 7), opsetImports, graph };
}

/**
 * com.microsoft QAttention (what quantizeDynamic makes of com.microsoft Attention) with a constant int8 weight, under
 * `matMulWeightType: 'uint8'`: the weight and its zero point shifted by +128 to uint8 — the same integers after the
 * zero point, which onnxruntime multiplies as u8 × u8 exactly on every CPU (its u8 × s8 path saturates without VNNI).
 */
function qattentionWeightsAsUint8(node: Node, g: Graph, initializers: Map<string, Tensor>, addInit: (base: string, t: Tensor) => string, weightType: 'int8' | 'uint8'): Node {
  if (weightType !== 'uint8' || node.domain !== 'com.microsoft' || node.opType !== 'QAttention') return node;
  const w = initializers.get(node.inputs[1] ?? '');
  const zpName = node.inputs[7] ?? '';
  const zp = zpName ? initializers.get(zpName) : undefined;
  if (!w || w.dtype !== 'int8' || (zpName && (!zp || zp.dtype !== 'int8'))) return node;
  const shift = (t: Tensor): Tensor => Tensor.from('uint8', t.shape, Uint8Array.from(t.data as Int8Array, (v) => v + 128));
  const inputs = node.inputs.slice();
  while (inputs.length < 8) inputs.push('');
  inputs[1] = addInit(`${node.name}_W_u8`, shift(w));
  inputs[7] = addInit(`${node.name}_W_zero_point_u8`, zp ? shift(zp) : Tensor.from('uint8', [], [128]));
  // The int8 originals leave the file unless something else reads them.
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  for (const old of [node.inputs[1], zpName]) {
    if (old && !graphOutputs.has(old) && g.nodes.every((n) => n === node || !n.inputs.includes(old))) initializers.delete(old);
  }
  return { ...node, inputs };
}
