import type { Model, Node } from '@qint/graph';
import { formatShape, type Tensor } from '@qint/tensor';
import { captureActivations } from './capture-activations';
import { foldConstant } from './fold-constant';
import { indexGraph } from './graph-index';
import { isOnnx, numAttr } from './node-utils';
import type { LayerGram, LayerGrams, LayerGramsOptions } from './quantize-dynamic-options';
import { QuantizeError } from './quantize-error';

/** What the Gram matrix of one node is built from. */
interface GramSpec {
  label: string;
  node: Node;
  input: string;
  k: number;
  groups: number;
  /** Conv geometry (kernel `[kh, kw]`, …); absent for MatMul/Gemm. */
  conv?: { channelsPerGroup: number; kernel: number[]; strides: number[]; dilations: number[]; pads: number[] | 'SAME_UPPER' | 'SAME_LOWER' };
}

const ints = (node: Node, key: string): number[] | undefined => {
  const a = node.attributes[key];
  return a && a.type === 'ints' ? a.value.slice() : undefined;
};

function specOf(node: Node, label: string, weight: Tensor): GramSpec | string {
  const input = node.inputs[0];
  if (node.opType === 'MatMul' || node.opType === 'Gemm') {
    if (weight.rank !== 2) return `weight has rank ${weight.rank}`;
    if (node.opType === 'Gemm' && numAttr(node, 'transA', 0) !== 0) return 'transA = 1';
    const k = node.opType === 'Gemm' && numAttr(node, 'transB', 0) !== 0 ? weight.shape[1] : weight.shape[0];
    return { label, node, input, k, groups: 1 };
  }
  if (weight.rank !== 3 && weight.rank !== 4) return `weight has rank ${weight.rank}`;
  const kernel = weight.shape.slice(2);
  const spatial = kernel.length;
  const groups = numAttr(node, 'group', 1);
  const autoPad = node.attributes.auto_pad?.type === 'string' ? String(node.attributes.auto_pad.value) : 'NOTSET';
  const pads: number[] | 'SAME_UPPER' | 'SAME_LOWER' =
    autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? autoPad : autoPad === 'VALID' ? new Array(2 * spatial).fill(0) : (ints(node, 'pads') ?? new Array(2 * spatial).fill(0));
  return {
    label,
    node,
    input,
    k: weight.size / weight.shape[0],
    groups,
    conv: { channelsPerGroup: weight.shape[1], kernel, strides: ints(node, 'strides') ?? new Array(spatial).fill(1), dilations: ints(node, 'dilations') ?? new Array(spatial).fill(1), pads },
  };
}

/** Adds `xᵀx` of every row of `x` (rows of length k) to the upper triangle of `gram`. */
function addRows(gram: Float64Array, x: ArrayLike<number>, rows: number, k: number, offset = 0): void {
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    for (let i = 0; i < k; i++) {
      const xi = x[base + i];
      if (xi === 0) continue;
      const gi = offset + i * k;
      for (let j = i; j < k; j++) gram[gi + j] += xi * x[base + j];
    }
  }
}

/** Accumulates the Gram matrices of a Conv's im2col patches (one per group) of a batch `[N, C, …spatial]`. */
function addConvPatches(gram: Float64Array, spec: GramSpec, x: Tensor): number {
  const c = spec.conv!;
  const spatial = c.kernel.length;
  if (x.rank !== spatial + 2) throw new QuantizeError(`node "${spec.label}": GPTQ: Conv input "${spec.input}" is ${formatShape(x.shape)}, expected rank ${spatial + 2}`, { node: spec.label });
  // 1-D convolutions are 2-D ones with height 1.
  const [batch, channels] = x.shape;
  const inH = spatial === 2 ? x.shape[2] : 1;
  const inW = x.shape[spatial === 2 ? 3 : 2];
  const [kh, kw] = spatial === 2 ? c.kernel : [1, c.kernel[0]];
  const [sh, sw] = spatial === 2 ? c.strides : [1, c.strides[0]];
  const [dh, dw] = spatial === 2 ? c.dilations : [1, c.dilations[0]];
  const extent = (size: number, kernel: number, stride: number, dilation: number, begin: number, end: number): { out: number; begin: number } => {
    const span = (kernel - 1) * dilation + 1;
    if (c.pads === 'SAME_UPPER' || c.pads === 'SAME_LOWER') {
      const out = Math.ceil(size / stride);
      const total = Math.max(0, (out - 1) * stride + span - size);
      return { out, begin: c.pads === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2) };
    }
    return { out: Math.floor((size + begin + end - span) / stride) + 1, begin };
  };
  const p = Array.isArray(c.pads) ? c.pads : [];
  const ey = spatial === 2 ? extent(inH, kh, sh, dh, p[0] ?? 0, p[2] ?? 0) : { out: 1, begin: 0 };
  const ex = spatial === 2 ? extent(inW, kw, sw, dw, p[1] ?? 0, p[3] ?? 0) : extent(inW, kw, sw, dw, p[0] ?? 0, p[1] ?? 0);
  const cg = c.channelsPerGroup;
  if (channels !== cg * spec.groups) {
    throw new QuantizeError(`node "${spec.label}": GPTQ: Conv input "${spec.input}" has ${channels} channels, expected group · C/group = ${spec.groups} · ${cg}`, { node: spec.label });
  }
  const data = x.data as Float32Array;
  const k = spec.k;
  const patch = new Float64Array(k);
  for (let nIdx = 0; nIdx < batch; nIdx++) {
    for (let g = 0; g < spec.groups; g++) {
      for (let oy = 0; oy < ey.out; oy++) {
        for (let ox = 0; ox < ex.out; ox++) {
          let t = 0;
          for (let ch = 0; ch < cg; ch++) {
            const plane = (nIdx * channels + g * cg + ch) * inH * inW;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - ey.begin + ky * dh;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - ex.begin + kx * dw;
                patch[t++] = iy >= 0 && iy < inH && ix >= 0 && ix < inW ? data[plane + iy * inW + ix] : 0;
              }
            }
          }
          addRows(gram, patch, 1, k, g * k * k);
        }
      }
    }
  }
  return batch * ey.out * ex.out;
}

/**
 * Runs the float model on calibration batches and accumulates, in float64, the Gram matrix `XᵀX` of the input of
 * every MatMul/Gemm/Conv with a constant weight — what GPTQ rounding ({@link gptqRound}, `rounding: 'gptq'` of
 * {@link quantizeDynamic}) needs. MatMul/Gemm: the input flattened to rows of K. Conv: the im2col patches of its
 * input (pads, auto_pad, strides, dilations), one matrix per group with K = C/group · kernel size. Every layer sees
 * the float model's activations (layers are not re-run with their predecessors quantized). Memory: `groups · K²`
 * float64s per layer; time: one model run per batch plus `rows · K²/2` multiply-adds per layer. Layers that read
 * the same input the same way (Q, K and V projections of one activation) share one matrix, accumulated once.
 *
 * @param model - the float model
 * @param batches - calibration feeds, one object per run (any iterable)
 * @param options - {@link LayerGramsOptions}: which nodes (by name), which op types
 * @returns {@link LayerGrams}: the matrices by node name (`#index` for unnamed nodes), reusable across quantizations
 * @throws {@link QuantizeError} for no batches, a named node that is not an eligible layer, or an input of the wrong shape
 * @example
 * ```ts
 * const grams = layerGrams(model, batches);
 * const a = quantizeDynamic(model, { bits: 4, rounding: 'gptq', calibration: grams });
 * const b = quantizeDynamic(model, { bits: 3, rounding: 'gptq', calibration: grams }); // no second model run
 * ```
 */
export function layerGrams(model: Model, batches: Iterable<Readonly<Record<string, Tensor>>>, options: LayerGramsOptions = {}): LayerGrams {
  return collectLayerGrams(model, batches, options, true);
}

/** {@link layerGrams}; with `strict` false, named nodes that are not eligible layers are skipped (the quantizer's use). */
export function collectLayerGrams(model: Model, batches: Iterable<Readonly<Record<string, Tensor>>>, options: LayerGramsOptions, strict: boolean): LayerGrams {
  const graph = model.graph;
  const opTypes = new Set(options.opTypes ?? ['MatMul', 'Gemm', 'Conv']);
  const wanted = options.nodes ? new Set(options.nodes) : undefined;
  const { producers } = indexGraph(graph);
  const specs: GramSpec[] = [];
  const seen = new Set<string>();
  graph.nodes.forEach((node, index) => {
    const label = node.name || `#${index}`;
    if (wanted && !wanted.has(label)) return;
    seen.add(label);
    const eligible = isOnnx(node) && opTypes.has(node.opType) && node.inputs[0] && !graph.initializers.has(node.inputs[0]);
    const folded = eligible ? foldConstant(graph, node.inputs[1], producers) : undefined;
    const why = !eligible ? `it is not an ONNX ${[...opTypes].join('/')} node with an activation input` : !folded ? 'its weight is not a constant' : folded.tensor.dtype !== 'float32' ? 'its weight is not float32' : undefined;
    const spec = why === undefined ? specOf(node, label, folded!.tensor) : why;
    if (typeof spec === 'string') {
      if (wanted && strict) throw new QuantizeError(`layerGrams: "nodes" names "${label}", but ${spec}; GPTQ needs a MatMul/Gemm/Conv with a constant float32 weight`, { node: label });
      return;
    }
    specs.push(spec);
  });
  if (strict) for (const name of wanted ?? []) if (!seen.has(name)) throw new QuantizeError(`layerGrams: "nodes" names "${name}", which is not in the graph`, { node: name });
  // Layers that read the same input the same way (e.g. the Q, K and V projections of one activation) share one
  // accumulation: keyed by input, K, groups and the Conv geometry.
  const keyOf = (s: GramSpec): string => JSON.stringify([s.input, s.k, s.groups, s.conv ?? null]);
  const slot = new Map<string, number>();
  const unique: GramSpec[] = [];
  const slotOf = specs.map((s) => {
    const key = keyOf(s);
    if (!slot.has(key)) slot.set(key, unique.push(s) - 1);
    return slot.get(key)!;
  });
  const grams = unique.map((s) => new Float64Array(s.groups * s.k * s.k));
  const rows = new Array<number>(unique.length).fill(0);
  const inputs = [...new Set(unique.map((s) => s.input))];
  const count = captureActivations(model, batches, inputs, (values) => {
    unique.forEach((s, i) => {
      const x = values.get(s.input)!;
      if (x.dtype !== 'float32') throw new QuantizeError(`node "${s.label}": GPTQ: input "${s.input}" is ${x.dtype}, expected float32`, { node: s.label });
      if (s.conv) {
        rows[i] += addConvPatches(grams[i], s, x);
        return;
      }
      if (x.shape[x.rank - 1] !== s.k) throw new QuantizeError(`node "${s.label}": GPTQ: input "${s.input}" is ${formatShape(x.shape)}, expected a last dimension of K = ${s.k}`, { node: s.label });
      const n = x.size / s.k;
      addRows(grams[i], x.data as Float32Array, n, s.k);
      rows[i] += n;
    });
  });
  if (count === 0) throw new QuantizeError('layerGrams: "batches" is empty; give at least one set of feeds');
  unique.forEach((s, i) => {
    const g = grams[i];
    // Mirror the accumulated upper triangle.
    for (let part = 0; part < s.groups; part++) {
      const o = part * s.k * s.k;
      for (let a = 0; a < s.k; a++) for (let b = a + 1; b < s.k; b++) g[o + b * s.k + a] = g[o + a * s.k + b];
    }
  });
  const layers = new Map<string, LayerGram>();
  specs.forEach((s, i) => layers.set(s.label, { node: s.label, input: s.input, k: s.k, groups: s.groups, rows: rows[slotOf[i]], gram: grams[slotOf[i]] }));
  return { kind: 'layer-grams', batches: count, layers };
}
