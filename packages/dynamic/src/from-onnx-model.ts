import { MS_DOMAIN, QINT_DOMAIN, type Graph, type Model, type Node } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { indexGraph, pruneUnused } from './graph-index';
import { convAttributes, intAttr as int, isOnnx } from './node-utils';
import { QuantizeError } from './quantize-error';
import { graphNamer } from './unique-namer';

/** Options of {@link fromOnnxModel}. */
export interface FromOnnxOptions {
  /**
   * Also turn com.microsoft `MatMulNBits` (float activations × 4/2/8-bit weights) into `DynamicLinear`, whose
   * activations are quantized to uint8 at run time: faster on qint's kernels, but no longer the same arithmetic
   * (outputs move by up to one activation quantization step). Default false: MatMulNBits nodes are kept.
   */
  matMulNBits?: boolean;
}

/** What {@link fromOnnxModel} rewrote. */
export interface FromOnnxReport {
  /** `[original op (first node of the pattern), node name]` of each rewritten layer. */
  rewritten: [string, string][];
  /**
   * `[op, node name]` of the statically quantized nodes found (QLinearConv, QLinearMatMul, and each DequantizeLinear
   * of a QuantizeLinear output): qint's executor runs them as they are, so they are kept unchanged.
   */
  static: [string, string][];
}

const STATIC_OPS = new Set(['QLinearConv', 'QLinearMatMul']);

/**
 * Imports a dynamically quantized ONNX model (as written by onnxruntime's `quantize_dynamic`, by onnxruntime's graph
 * optimizer, or by {@link toOnnxModel}) into qint's fused form: each `DynamicQuantizeLinear → MatMulInteger → Cast →
 * Mul(x_scale · w_scale) [→ Add bias]` chain and each com.microsoft `DynamicQuantizeMatMul` with constant weights becomes
 * `ai.qint::DynamicLinear`, each `DynamicQuantizeLinear → ConvInteger → Cast → Mul [→ Add]` chain `ai.qint::DynamicConv`.
 * These rewrites are exact (same integers, same float steps). The model runs either way on qint's executor; the fused
 * form runs on the packed dynamic-linear kernels and keeps no intermediate tensors. Statically quantized models
 * (QOperator or QDQ, e.g. from {@link quantizeStatic} or onnxruntime's `quantize_static`) are accepted as they are
 * and listed in `report.static`.
 *
 * @param model - an ONNX model (not modified)
 * @param options - {@link FromOnnxOptions}
 * @returns the rewritten model and what was rewritten
 * @throws {@link QuantizeError} when nothing in the model matches a dynamic or static quantized pattern
 * @example
 * ```ts
 * const { model } = fromOnnxModel(decodeModel(readFileSync('model.quant.onnx')));
 * createSession(model).run({ input });
 * ```
 */
export function fromOnnxModel(model: Model, options: FromOnnxOptions = {}): { model: Model; report: FromOnnxReport } {
  const g = model.graph;
  const { producers, consumers } = indexGraph(g);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const inputNames = new Set(g.inputs.map((v) => v.name));
  const constant = (name: string | undefined): Tensor | undefined => (name && !inputNames.has(name) ? g.initializers.get(name) : undefined);
  const initializers = new Map(g.initializers);
  const fresh = graphNamer(g);
  const only = (value: string, user: Node): boolean => !outputs.has(value) && (consumers.get(value) ?? []).length === 1 && consumers.get(value)![0] === user;
  const single = (value: string): Node | undefined => {
    const c = consumers.get(value) ?? [];
    return c.length === 1 && !outputs.has(value) ? c[0] : undefined;
  };
  const replace = new Map<Node, Node>();
  const remove = new Set<Node>();
  const rewritten: [string, string][] = [];

  /** Signed values of a uint8/int8 weight, as a fresh copy (uint8 shifted by −128). */
  const signed = (t: Tensor): Int8Array => (t.dtype === 'uint8' ? Int8Array.from(t.data as Uint8Array, (v) => v - 128) : Int8Array.from(t.data as Int8Array));
  const zeroPoints = (t: Tensor | undefined, count: number, dtype: string): number[] | undefined => {
    if (!t) return dtype === 'uint8' ? new Array<number>(count).fill(-128) : undefined;
    const v = Array.from(t.values(), (z) => z - (t.dtype === 'uint8' ? 128 : 0));
    return v.length === 1 ? new Array<number>(count).fill(v[0]) : v;
  };

  /**
   * Follows `acc → Cast(float) → Mul(·, Mul(x_scale, w_scale)) [→ Add(·, bias)]` from an integer product; returns the
   * w_scale constant, the optional bias constant, the chain's nodes and its final output.
   */
  const tail = (acc: string, xScale: string): { wScale: Tensor; bias?: Tensor; nodes: Node[]; out: string } | undefined => {
    const cast = single(acc);
    if (!cast || cast.opType !== 'Cast' || !isOnnx(cast) || cast.attributes.to?.value !== 1) return undefined;
    const mul = single(cast.outputs[0]);
    if (!mul || mul.opType !== 'Mul' || !isOnnx(mul)) return undefined;
    const other = mul.inputs[0] === cast.outputs[0] ? mul.inputs[1] : mul.inputs[0];
    const scaleMul = producers.get(other);
    if (!scaleMul || scaleMul.opType !== 'Mul' || !isOnnx(scaleMul) || !only(other, mul)) return undefined;
    const [p, q] = scaleMul.inputs;
    const wScaleName = p === xScale ? q : q === xScale ? p : undefined;
    const wScale = constant(wScaleName);
    if (!wScale || wScale.dtype !== 'float32') return undefined;
    const nodes = [cast, scaleMul, mul];
    let out = mul.outputs[0];
    let bias: Tensor | undefined;
    const add = single(out);
    if (add && add.opType === 'Add' && isOnnx(add)) {
      const b = constant(add.inputs[0] === out ? add.inputs[1] : add.inputs[0]);
      if (b && b.dtype === 'float32') {
        bias = b;
        nodes.push(add);
        out = add.outputs[0];
      }
    }
    return { wScale, bias, nodes, out };
  };

  const linearNode = (base: string, x: string, out: string, n: number, k: number, wNK: Int8Array, scales: Float32Array, zps: number[] | undefined, bias: Tensor | undefined, bits = 8, blockSize = 0): Node => {
    const wName = fresh(`${base}_W_q${bits}`);
    const dtype = bits === 8 ? 'int8' : bits === 4 ? 'int4' : 'int2';
    initializers.set(wName, Tensor.from(dtype, [n, k], bits === 8 ? wNK : Array.from(wNK)));
    const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
    const shape = scales.length === 1 ? [1] : blockSize > 0 ? [n, groups] : [n];
    const sName = fresh(`${base}_W_scale`);
    initializers.set(sName, Tensor.from('float32', shape, scales));
    let zName = '';
    if (zps && zps.some((z) => z !== 0)) initializers.set((zName = fresh(`${base}_W_zero_point`)), Tensor.from(dtype, shape, zps));
    let bName = '';
    if (bias) initializers.set((bName = fresh(`${base}_bias`)), Tensor.from('float32', [n], Float32Array.from(bias.values())));
    return {
      name: fresh(`${base}_dynamic`),
      opType: 'DynamicLinear',
      domain: QINT_DOMAIN,
      inputs: [x, wName, sName, zName, bName],
      outputs: [out],
      attributes: { bits: int(bits), block_size: int(blockSize), per_row: int(0), K: int(k), N: int(n) },
    };
  };

  for (const node of g.nodes) {
    // com.microsoft::DynamicQuantizeMatMul(A, B, b_scale, b_zero_point, bias)
    if (node.domain === MS_DOMAIN && node.opType === 'DynamicQuantizeMatMul') {
      const b = constant(node.inputs[1]);
      const s = constant(node.inputs[2]);
      if (!b || !s || b.rank !== 2 || (b.dtype !== 'int8' && b.dtype !== 'uint8')) continue;
      const [k, n] = b.shape;
      const bias = constant(node.inputs[4]);
      if (node.inputs[4] && !bias) continue;
      const zp = zeroPoints(constant(node.inputs[3]), s.size, b.dtype);
      replace.set(node, linearNode(node.name || node.outputs[0], node.inputs[0], node.outputs[0], n, k, signed(b.transpose()), Float32Array.from(s.values()), zp, bias));
      rewritten.push(['DynamicQuantizeMatMul', node.name]);
      continue;
    }
    if (options.matMulNBits && node.domain === MS_DOMAIN && node.opType === 'MatMulNBits') {
      const a = (name: string): number => (node.attributes[name]?.type === 'int' ? (node.attributes[name].value as number) : 0);
      const [k, n, bits, bs] = [a('K'), a('N'), a('bits') || 4, a('block_size')];
      const b = constant(node.inputs[1]);
      const s = constant(node.inputs[2]);
      const zpT = constant(node.inputs[3]);
      if (!b || !s || b.dtype !== 'uint8' || (bits !== 2 && bits !== 4 && bits !== 8) || (node.inputs[3] && (!zpT || zpT.dtype !== 'uint8')) || node.inputs[4]) continue;
      const bias = constant(node.inputs[5]);
      if (node.inputs[5] && !bias) continue;
      const blocks = Math.ceil(k / bs);
      const blob = (bs * bits) / 8;
      const perByte = 8 / bits;
      const mask = (1 << bits) - 1;
      const offset = 2 ** (bits - 1);
      const raw = b.data as Uint8Array;
      const values = new Int8Array(n * k);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < k; c++) {
          const blk = Math.floor(c / bs);
          const j = c % bs;
          values[r * k + c] = ((raw[(r * blocks + blk) * blob + Math.floor(j / perByte)] >> ((j % perByte) * bits)) & mask) - offset;
        }
      }
      let zps: number[] | undefined;
      if (zpT) {
        const zb = Math.ceil((blocks * bits) / 8);
        const zraw = zpT.data as Uint8Array;
        // Packed like B (bits per zero point, low bits first) or one byte each; for 8 bits the two coincide.
        const packed = zraw.length === n * zb;
        if (!packed && zraw.length !== n * blocks) continue;
        zps = new Array<number>(n * blocks);
        for (let r = 0; r < n; r++) {
          for (let blk = 0; blk < blocks; blk++) {
            const u = packed ? (zraw[r * zb + Math.floor(blk / perByte)] >> ((blk % perByte) * bits)) & mask : zraw[r * blocks + blk];
            zps[r * blocks + blk] = u - offset;
          }
        }
      }
      const base = node.name || node.outputs[0];
      replace.set(node, linearNode(base, node.inputs[0], node.outputs[0], n, k, values, Float32Array.from(s.values()), zps, bias, bits, blocks === 1 ? 0 : bs));
      rewritten.push(['MatMulNBits', node.name]);
      continue;
    }
    // DynamicQuantizeLinear → MatMulInteger / ConvInteger → Cast → Mul → Mul [→ Add]
    if (!isOnnx(node) || (node.opType !== 'MatMulInteger' && node.opType !== 'ConvInteger')) continue;
    const dql = producers.get(node.inputs[0]);
    if (!dql || dql.opType !== 'DynamicQuantizeLinear' || !isOnnx(dql) || node.inputs[2] !== dql.outputs[2]) continue;
    const w = constant(node.inputs[1]);
    if (!w || (w.dtype !== 'int8' && w.dtype !== 'uint8')) continue;
    const t = tail(node.outputs[0], dql.outputs[1]);
    if (!t) continue;
    const wZp = node.inputs[3] ? constant(node.inputs[3]) : undefined;
    if (node.inputs[3] && !wZp) continue;
    const base = node.name || node.outputs[0];
    if (node.opType === 'MatMulInteger') {
      if (w.rank !== 2) continue;
      const [k, n] = w.shape;
      if (t.wScale.size !== 1 && t.wScale.size !== n) continue;
      if (t.bias && t.bias.size !== n) continue;
      replace.set(node, linearNode(base, dql.inputs[0], t.out, n, k, signed(w.transpose()), Float32Array.from(t.wScale.values()), zeroPoints(wZp, t.wScale.size, w.dtype), t.bias));
    } else {
      const m = w.shape[0];
      if (t.wScale.size !== 1 && t.wScale.size !== m) continue;
      if (t.bias && t.bias.size !== m) continue;
      const wName = fresh(`${base}_W_q8`);
      initializers.set(wName, Tensor.from('int8', w.shape, signed(w)));
      const sName = fresh(`${base}_W_scale`);
      initializers.set(sName, Tensor.from('float32', [t.wScale.size], Float32Array.from(t.wScale.values())));
      const zps = zeroPoints(wZp, t.wScale.size, w.dtype);
      let zName = '';
      if (zps && zps.some((z) => z !== 0)) initializers.set((zName = fresh(`${base}_W_zero_point`)), Tensor.from('int8', [zps.length], zps));
      let bName = '';
      if (t.bias) initializers.set((bName = fresh(`${base}_bias`)), Tensor.from('float32', [m], Float32Array.from(t.bias.values())));
      replace.set(node, { name: fresh(`${base}_dynamic`), opType: 'DynamicConv', domain: QINT_DOMAIN, inputs: [dql.inputs[0], wName, sName, zName, bName], outputs: [t.out], attributes: convAttributes(node) });
    }
    for (const n of t.nodes) remove.add(n);
    rewritten.push([node.opType, node.name]);
  }
  // Statically quantized models (QOperator: QLinearConv/QLinearMatMul; QDQ: QuantizeLinear → DequantizeLinear, as
  // quantizeStatic or onnxruntime's quantize_static write them) run on qint's executor as they are: nothing to rewrite.
  const staticNodes: [string, string][] = g.nodes
    .filter((n) => isOnnx(n) && (STATIC_OPS.has(n.opType) || (n.opType === 'DequantizeLinear' && producers.get(n.inputs[0])?.opType === 'QuantizeLinear')))
    .map((n) => [n.opType, n.name]);
  if (rewritten.length === 0) {
    if (staticNodes.length > 0) return { model, report: { rewritten, static: staticNodes } };
    throw new QuantizeError('fromOnnxModel: no dynamic quantization pattern (DynamicQuantizeLinear → MatMulInteger/ConvInteger → Cast → Mul, DynamicQuantizeMatMul, MatMulNBits) with constant weights was found, and no static one (QLinearConv, QLinearMatMul, QuantizeLinear → DequantizeLinear)');
  }

  // The fused node takes the place of the chain's last node, so every consumer of the chain's output still follows it.
  const placeAt = new Map<Node, Node>();
  for (const [first, fused] of replace) {
    const last = g.nodes.filter((n) => n === first || (remove.has(n) && n.outputs.some((o) => o === fused.outputs[0]))).pop() ?? first;
    placeAt.set(last, fused);
  }
  const placed: Node[] = [];
  for (const n of g.nodes) {
    if (placeAt.has(n)) placed.push(placeAt.get(n)!);
    else if (!replace.has(n) && !remove.has(n)) placed.push(n);
  }
  // DynamicQuantizeLinear nodes and initializers nothing uses any more go (initializers listed as graph inputs stay).
  const nodes = pruneUnused(placed, g.outputs.map((o) => o.name), (n) => n.opType === 'DynamicQuantizeLinear' && isOnnx(n), initializers, inputNames);
  const graph: Graph = { ...g, nodes, initializers };
  return { model: { ...model, opsetImports: { ...model.opsetImports, [QINT_DOMAIN]: 1 }, graph }, report: { rewritten, static: staticNodes } };
}
