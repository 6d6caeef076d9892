// qint's implementations of the upward conversions of onnx's version converter (named as there, see
// onnx-step-adapters.ts): each rewrites one node from the previous schema version of its op to the next.
import type { Attribute, Node } from '@qint/graph';
import { Tensor, type DType } from '@qint/tensor';

/** What an adapter may ask about the graph around the node and how it adds what the new form needs. */
export interface StepContext {
  /** The node's label for messages, e.g. `Slice "p2o.Slice.0"`. */
  readonly label: string;
  /** Adds a constant tensor (an initializer of the node's graph) and returns its name. */
  constant(hint: string, tensor: Tensor): string;
  /** Adds a node before the converted one. */
  addNode(node: Node): void;
  /** A fresh value name. */
  freshName(hint: string): string;
  /** The dtype of a value, when known. */
  dtypeOf(name: string): DType | undefined;
  /** The rank of a value, when known. */
  rankOf(name: string): number | undefined;
  /** Whether any node or graph output reads the value. */
  isUsed(name: string): boolean;
  /** Refuses the conversion: throws an OpsetConversionError with this reason. */
  fail(reason: string): never;
}

/**
 * An adapter: the node in the next version's form. When it changes the op (Upsample → Resize) it pins the new node to
 * the new op's schema version and conversion goes on from there; a node it returns unpinned is final (it follows the
 * model's opset, like the nodes it added).
 */
export type StepAdapter = (node: Node, ctx: StepContext) => Node;

function without(attrs: Readonly<Record<string, Attribute>>, ...names: string[]): Record<string, Attribute> {
  const out: Record<string, Attribute> = Object.create(null) as Record<string, Attribute>;
  for (const [k, v] of Object.entries(attrs)) if (!names.includes(k)) out[k] = v;
  return out;
}

function ints(node: Node, name: string): readonly number[] | undefined {
  const a = node.attributes[name];
  return a?.type === 'ints' ? a.value : a?.type === 'int' ? [a.value] : undefined;
}

function int(node: Node, name: string): number | undefined {
  const a = node.attributes[name];
  return a?.type === 'int' ? a.value : undefined;
}

function float(node: Node, name: string): number | undefined {
  const a = node.attributes[name];
  return a?.type === 'float' ? a.value : a?.type === 'int' ? a.value : undefined;
}

function int64s(values: readonly number[]): Tensor {
  return Tensor.from('int64', [values.length], values.map((v) => BigInt(v)));
}

/** Sets input `index`, padding skipped optional inputs with ''. */
function withInput(inputs: readonly string[], index: number, name: string): string[] {
  const out = inputs.slice();
  while (out.length < index) out.push('');
  out[index] = name;
  return out;
}

function scalarLike(ctx: StepContext, node: Node, hint: string, value: number): string {
  const dtype = ctx.dtypeOf(node.inputs[0]);
  if (dtype === undefined) ctx.fail(`the dtype of input 0 "${node.inputs[0]}" is unknown, so its ${hint} cannot become a typed input`);
  if (dtype !== 'float32' && dtype !== 'float16' && !dtype.startsWith('int') && !dtype.startsWith('uint')) {
    ctx.fail(`input 0 "${node.inputs[0]}" is ${dtype}, for which qint cannot write a ${hint} constant`);
  }
  const v = dtype === 'int64' ? BigInt(Math.trunc(value)) : value;
  return ctx.constant(`${node.name || node.opType}_${hint}`, Tensor.scalar(dtype, v));
}

/** Moves an ints attribute to an int64 input at `index` (absent attribute: no input). */
function attributeToInput(attr: string, index: number): StepAdapter {
  return (node: Node, ctx: StepContext) => {
    const values = ints(node, attr);
    if (values === undefined) return { ...node, attributes: without(node.attributes, attr) };
    return { ...node, inputs: withInput(node.inputs, index, ctx.constant(`${node.name || node.opType}_${attr}`, int64s(values))), attributes: without(node.attributes, attr) };
  };
}

const compatible: StepAdapter = (node) => node;

const setAttributeDefaults: Record<string, Record<string, Attribute>> = {
  GRU: { layout: { type: 'int', value: 0 } },
  LSTM: { layout: { type: 'int', value: 0 } },
  RNN: { layout: { type: 'int', value: 0 } },
  LpPool: { ceil_mode: { type: 'int', value: 0 } },
  RoiAlign: { coordinate_transformation_mode: { type: 'string', value: 'output_half_pixel' } },
};

/**
 * The adapters qint implements, by onnx's adapter name. An adapter name in onnx's table that is not here (Scan-9,
 * GridSample-20, GroupNormalization-21, DFT-20) cannot be converted, and export refuses the node.
 */
export const STEP_ADAPTERS: Readonly<Record<string, StepAdapter>> = {
  CompatibleAdapter: compatible,
  // Opset 6 dropped the legacy `consumed_inputs` attribute; its value never changed what the op computes.
  removeConsumedInputs: (node) => ({ ...node, attributes: without(node.attributes, 'consumed_inputs') }),
  SetAttributeIfAbsent: (node) =>
    node.attributes.axis ? node : { ...node, attributes: { ...without(node.attributes), axis: { type: 'int', value: 1 } } },
  SetAttribute: (node: Node, ctx: StepContext) => {
    const defaults = setAttributeDefaults[node.opType];
    if (!defaults) ctx.fail('qint knows no attribute default for this step');
    return { ...node, attributes: { ...without(node.attributes), ...defaults } };
  },
  Reshape_4_5: (node: Node, ctx: StepContext) => {
    const shape = ints(node, 'shape');
    if (shape === undefined) ctx.fail('attribute "shape" is missing');
    return attributeToInput('shape', 1)(node, ctx);
  },
  // Opset 7 replaced the legacy broadcast/axis attributes by numpy broadcasting.
  BroadcastForwardCompatibility: (node: Node, ctx: StepContext) => {
    if (int(node, 'broadcast') === 1 && node.attributes.axis) {
      const a = ctx.rankOf(node.inputs[0]);
      const b = ctx.rankOf(node.inputs[1]);
      if (a === undefined || b === undefined) ctx.fail('legacy broadcast with "axis" needs the ranks of both inputs, which are unknown');
      if (int(node, 'axis') !== a - b) ctx.fail(`legacy broadcast at axis ${int(node, 'axis')} is not numpy broadcasting (ranks ${a} and ${b})`);
    }
    return { ...node, attributes: without(node.attributes, 'broadcast', 'axis') };
  },
  Gemm_6_7: (node) => ({ ...node, attributes: without(node.attributes, 'broadcast') }),
  RemoveAttributeNotEq: (node) => ({ ...node, attributes: without(node.attributes, 'is_test') }),
  RemoveAttribute: (node: Node, ctx: StepContext) => {
    const spatial = int(node, 'spatial');
    if (spatial !== undefined && spatial !== 1) ctx.fail(`spatial = ${spatial} has no equivalent in BatchNormalization-9`);
    return { ...node, attributes: without(node.attributes, 'spatial') };
  },
  Upsample_6_7: (node: Node, ctx: StepContext) => {
    const h = float(node, 'height_scale');
    const w = float(node, 'width_scale');
    if (h === undefined || w === undefined) ctx.fail('attributes "height_scale" and "width_scale" are required');
    return { ...node, attributes: { ...without(node.attributes, 'height_scale', 'width_scale'), scales: { type: 'floats', value: [1, 1, h, w] } } };
  },
  Upsample_8_9: (node: Node, ctx: StepContext) => {
    const a = node.attributes.scales;
    if (a?.type !== 'floats') ctx.fail('attribute "scales" is missing');
    const scales = ctx.constant(`${node.name || node.opType}_scales`, Tensor.from('float32', [a.value.length], a.value));
    return { ...node, inputs: [node.inputs[0], scales], attributes: without(node.attributes, 'scales') };
  },
  Upsample_9_10: (node: Node, ctx: StepContext) => {
    if (node.inputs.length < 2 || node.inputs[1] === '') ctx.fail('input 1 (scales) is missing');
    const mode = node.attributes.mode?.type === 'string' ? node.attributes.mode.value : 'nearest';
    return { ...node, opType: 'Resize', sinceVersion: 10, inputs: node.inputs.slice(0, 2), attributes: { mode: { type: 'string', value: mode } } };
  },
  // Resize-10 maps output to input coordinates as x / scale and takes the nearest pixel by floor (the Upsample
  // semantics); Resize-11's defaults differ (half_pixel, round_prefer_floor), so they are written out.
  Resize_10_11: (node: Node, ctx: StepContext) => {
    if (node.inputs.length < 2 || node.inputs[1] === '') ctx.fail('input 1 (scales) is missing');
    const roi = ctx.constant(`${node.name || node.opType}_roi`, Tensor.from('float32', [0], []));
    const mode = node.attributes.mode?.type === 'string' ? node.attributes.mode.value : 'nearest';
    const attributes: Record<string, Attribute> = { ...without(node.attributes), coordinate_transformation_mode: { type: 'string', value: 'asymmetric' } };
    if (mode === 'nearest') attributes.nearest_mode = { type: 'string', value: 'floor' };
    return { ...node, inputs: [node.inputs[0], roi, node.inputs[1]], attributes };
  },
  Slice_9_10: (node: Node, ctx: StepContext) => {
    const starts = ints(node, 'starts');
    const ends = ints(node, 'ends');
    if (starts === undefined || ends === undefined) ctx.fail('attributes "starts" and "ends" are required');
    const base = node.name || node.opType;
    const inputs = [node.inputs[0], ctx.constant(`${base}_starts`, int64s(starts)), ctx.constant(`${base}_ends`, int64s(ends))];
    const axes = ints(node, 'axes');
    if (axes !== undefined) inputs.push(ctx.constant(`${base}_axes`, int64s(axes)));
    return { ...node, inputs, attributes: without(node.attributes, 'starts', 'ends', 'axes') };
  },
  TopK_9_10: (node: Node, ctx: StepContext) => {
    const k = int(node, 'k');
    if (k === undefined) ctx.fail('attribute "k" is missing');
    return { ...node, inputs: [node.inputs[0], ctx.constant(`${node.name || node.opType}_k`, int64s([k]))], attributes: without(node.attributes, 'k') };
  },
  Clip_10_11: (node: Node, ctx: StepContext) => {
    const min = float(node, 'min');
    const max = float(node, 'max');
    let inputs = node.inputs.slice(0, 1);
    if (min !== undefined) inputs = withInput(inputs, 1, scalarLike(ctx, node, 'min', min));
    if (max !== undefined) inputs = withInput(inputs, 2, scalarLike(ctx, node, 'max', max));
    return { ...node, inputs, attributes: without(node.attributes, 'min', 'max') };
  },
  Pad_10_11: (node: Node, ctx: StepContext) => {
    const pads = ints(node, 'pads');
    if (pads === undefined) ctx.fail('attribute "pads" is missing');
    let inputs = [node.inputs[0], ctx.constant(`${node.name || node.opType}_pads`, int64s(pads))];
    const value = float(node, 'value');
    if (value !== undefined && value !== 0) inputs = withInput(inputs, 2, scalarLike(ctx, node, 'value', value));
    return { ...node, inputs, attributes: without(node.attributes, 'pads', 'value') };
  },
  Scatter_10_11: (node) => ({ ...node, opType: 'ScatterElements', sinceVersion: 11 }),
  Dropout_11_12: (node: Node, ctx: StepContext) => {
    const ratio = float(node, 'ratio') ?? 0.5;
    const r = ctx.constant(`${node.name || node.opType}_ratio`, Tensor.scalar('float32', ratio));
    return { ...node, inputs: withInput(node.inputs.slice(0, 1), 1, r), attributes: without(node.attributes, 'ratio') };
  },
  AxesAttributeToInput: attributeToInput('axes', 1),
  Split_12_13: attributeToInput('split', 1),
  Split_17_18: (node) =>
    node.attributes.num_outputs || (node.inputs.length >= 2 && node.inputs[1] !== '')
      ? node
      : { ...node, attributes: { ...without(node.attributes), num_outputs: { type: 'int', value: node.outputs.length } } },
  // BatchNormalization-14 has the running statistics as outputs only in training mode: unused ones are dropped.
  BatchNormalization_13_14: (node: Node, ctx: StepContext) => {
    const outputs = node.outputs.slice();
    while (outputs.length > 1 && (outputs[outputs.length - 1] === '' || !ctx.isUsed(outputs[outputs.length - 1]))) outputs.pop();
    if (outputs.length > 1) ctx.fail(`output "${outputs[outputs.length - 1]}" (a running statistic) is read, which BatchNormalization-14 only gives in training mode`);
    return { ...node, outputs };
  },
  // Before opset 13 (Log)Softmax flattened the input to 2-D at `axis`; from 13 it works along one axis.
  Softmax_12_13: (node: Node, ctx: StepContext) => {
    const rank = ctx.rankOf(node.inputs[0]);
    const axisAttr = int(node, 'axis') ?? 1;
    if (rank === undefined && axisAttr !== -1) ctx.fail(`the rank of input 0 "${node.inputs[0]}" is unknown, so axis ${axisAttr} cannot be converted`);
    const axis = axisAttr < 0 ? axisAttr + (rank ?? 0) : axisAttr;
    const attributes = { ...without(node.attributes, 'axis'), axis: { type: 'int', value: -1 } as Attribute };
    if (rank === undefined || axis === rank - 1) return { ...node, attributes };
    const base = node.name || node.opType;
    const shape = ctx.freshName(`${base}_shape`);
    const flat = ctx.freshName(`${base}_flat`);
    const out = ctx.freshName(`${base}_2d`);
    ctx.addNode({ name: `${base}_shape`, opType: 'Shape', domain: '', inputs: [node.inputs[0]], outputs: [shape], attributes: {} });
    ctx.addNode({ name: `${base}_flatten`, opType: 'Flatten', domain: '', inputs: [node.inputs[0]], outputs: [flat], attributes: { axis: { type: 'int', value: axis } } });
    ctx.addNode({ name: node.name, opType: node.opType, domain: node.domain, inputs: [flat], outputs: [out], attributes });
    return { name: `${base}_reshape`, opType: 'Reshape', domain: '', inputs: [out, shape], outputs: node.outputs.slice(0, 1), attributes: {} };
  },
};
