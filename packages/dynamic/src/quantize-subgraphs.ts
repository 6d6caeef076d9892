// The quantizer inside If branches and Loop/Scan bodies. Each subgraph (at any depth) is quantized as a graph of its
// own: the outer constants it reads are visible to it as initializers (so a body's MatMul whose weight is an outer
// initializer becomes a quantized layer with its own quantized weight), the other outer values it reads as inputs.
// What the quantized body still reads from outside stays an outer-scope reference.
import { QINT_DOMAIN, freeVariables, localNames, subgraphsOf, type Attribute, type Graph, type Model, type Node } from '@qint/graph';
import type { Tensor } from '@qint/tensor';
import { QuantizeError } from './quantize-error';
import type { QuantizeDynamicOptions, QuantizeReport } from './quantize-dynamic-options';

/** One graph's quantization, as quantizeDynamic does it for the main graph. */
export type GraphQuantizer = (model: Model, options: QuantizeDynamicOptions) => { model: Model; report: QuantizeReport };

const NOTHING = 'nothing to quantize';

/** The path prefix of a subgraph's layers in reports: `Loop "/Loop".body > `. */
function pathOf(prefix: string, node: Node, index: number, attr: string): string {
  return `${prefix}${node.opType} "${node.name || `#${index}`}".${attr} > `;
}

/** Node names (plain, and as report paths for subgraph nodes) and op types of a graph and all its subgraphs. */
function namesIn(graph: Graph, names: Set<string>, types: Set<string>, prefix: string): void {
  graph.nodes.forEach((n, index) => {
    if (n.name !== '') {
      names.add(n.name);
      names.add(`${prefix}${n.name}`);
    }
    types.add(n.opType);
    for (const [attr, g] of subgraphsOf(n)) namesIn(g, names, types, pathOf(prefix, n, index, attr));
  });
}

/**
 * Options as a subgraph sees them: `exclude` entries and `overrides` keys given as report paths into this subgraph
 * (`If "if".then_branch > mm`) lose the path; plain names apply at every depth.
 */
function scopedOptions(options: QuantizeDynamicOptions, path: string): QuantizeDynamicOptions {
  const strip = (name: string): string => (name.startsWith(path) ? name.slice(path.length) : name);
  const out: QuantizeDynamicOptions = { ...options };
  if (options.exclude) out.exclude = options.exclude.map(strip);
  if (options.overrides) out.overrides = Object.fromEntries(Object.entries(options.overrides).map(([k, v]) => [strip(k), v]));
  return out;
}

/** Whether GPTQ rounding was asked for, for all layers or for some through overrides. */
function asksGptq(options: QuantizeDynamicOptions): boolean {
  return options.rounding === 'gptq' || Object.values(options.overrides ?? {}).some((v) => v.rounding === 'gptq');
}

/** Options restricted to what one graph names (exclude / overrides are validated once, against the whole model). */
function optionsFor(graph: Graph, options: QuantizeDynamicOptions, nested: boolean): QuantizeDynamicOptions {
  const names = new Set<string>();
  const types = new Set<string>();
  for (const n of graph.nodes) {
    if (n.name !== '') names.add(n.name);
    types.add(n.opType);
  }
  const out: QuantizeDynamicOptions = { ...options };
  if (options.exclude) out.exclude = options.exclude.filter((e) => names.has(e) || types.has(e));
  if (options.overrides) out.overrides = Object.fromEntries(Object.entries(options.overrides).filter(([k]) => names.has(k)));
  if (nested) {
    // Gram matrices are collected by running the main graph; body layers are rounded to nearest.
    delete out.calibration;
    if (out.rounding === 'gptq') out.rounding = 'nearest';
    if (out.overrides) out.overrides = Object.fromEntries(Object.entries(out.overrides).map(([k, v]) => [k, v.rounding === 'gptq' ? { ...v, rounding: 'nearest' } : v]));
  }
  return out;
}

/** Distinct initializer bytes of a graph and its subgraphs. */
function weightBytes(graph: Graph, seen: Set<Tensor>): number {
  let total = 0;
  for (const t of graph.initializers.values()) {
    if (seen.has(t)) continue;
    seen.add(t);
    total += t.data.byteLength;
  }
  for (const n of graph.nodes) for (const [, g] of subgraphsOf(n)) total += weightBytes(g, seen);
  return total;
}

/**
 * Quantizes one subgraph in the scope of its node: returns the new subgraph and its report, or undefined when it has
 * nothing to quantize.
 */
function quantizeBody(
  body: Graph,
  visibleConstants: ReadonlyMap<string, Tensor>,
  outerNames: ReadonlySet<string>,
  model: Model,
  options: QuantizeDynamicOptions,
  quantizeGraph: GraphQuantizer,
): { graph: Graph; report: QuantizeReport } | undefined {
  const free = freeVariables(body);
  const injected = new Map<string, Tensor>();
  for (const name of free) {
    const t = visibleConstants.get(name);
    if (t !== undefined) injected.set(name, t);
  }
  // Every other outer name is listed as an input too, so that the names the quantizer makes never shadow one.
  const local = localNames(body);
  const extra = [...outerNames].filter((n) => !injected.has(n) && !local.has(n));
  const open: Graph = {
    ...body,
    initializers: new Map([...injected, ...body.initializers]),
    inputs: [...body.inputs, ...extra.map((name) => ({ name }))],
  };
  let result: { model: Model; report: QuantizeReport };
  try {
    // Paths are relative at each level: the caller prefixes the body's report names (and strips its options) with its own.
    result = quantizeModel({ ...model, graph: open }, options, quantizeGraph, '', visibleConstants, true, new Set([...outerNames, ...local]));
  } catch (e) {
    if (e instanceof QuantizeError && e.message.includes(NOTHING)) return undefined;
    throw e;
  }
  const q = result.model.graph;
  // Outer constants go back to being outer-scope references (unless the quantizer made new ones of the same name).
  const initializers = new Map([...q.initializers].filter(([name, t]) => !(injected.get(name) === t)));
  const graph: Graph = { ...q, initializers, inputs: q.inputs.slice(0, body.inputs.length) };
  return { graph, report: result.report };
}

function quantizeModel(
  model: Model,
  options: QuantizeDynamicOptions,
  quantizeGraph: GraphQuantizer,
  path: string,
  outerConstants: ReadonlyMap<string, Tensor>,
  nested: boolean,
  outerNames: ReadonlySet<string> = new Set(),
): { model: Model; report: QuantizeReport } {
  const graph = model.graph;
  const scopeNames = new Set([...outerNames, ...localNames(graph)]);
  const inputs = new Set(graph.inputs.map((v) => v.name));
  const visible = new Map(outerConstants);
  for (const [name, t] of graph.initializers) if (!inputs.has(name)) visible.set(name, t);
  const bodyReports: QuantizeReport[] = [];
  let changed = false;
  const nodes = graph.nodes.map((node, index): Node => {
    const subs = subgraphsOf(node);
    if (subs.length === 0) return node;
    let touched = false;
    const attributes: Record<string, Attribute> = Object.create(null) as Record<string, Attribute>;
    Object.assign(attributes, node.attributes);
    for (const [attr, g] of subs) {
      const where = `${path}${node.opType} "${node.name || `#${index}`}".${attr}`;
      const q = quantizeBody(g, visible, scopeNames, model, scopedOptions(options, `${where} > `), quantizeGraph);
      if (!q) continue;
      attributes[attr] = { type: 'graph', value: q.graph };
      bodyReports.push({
        ...q.report,
        quantized: q.report.quantized.map((e) => ({ ...e, node: `${where} > ${e.node}` })),
        skipped: q.report.skipped.map((e) => ({ ...e, node: `${where} > ${e.node}` })),
        warnings: [
          ...q.report.warnings.map((w) => `${where}: ${w}`),
          // optionsFor rounds body layers to nearest: say so where GPTQ was asked for.
          ...(asksGptq(options) && q.report.quantized.length > 0
            ? [`${where}: GPTQ rounding is not available inside subgraph bodies (their inputs are not collected); ${q.report.quantized.length} layer(s) here rounded to nearest`]
            : []),
        ],
      });
      touched = changed = true;
    }
    return touched ? { ...node, attributes } : node;
  });
  const withBodies: Model = changed ? { ...model, graph: { ...graph, nodes } } : model;
  let main: { model: Model; report: QuantizeReport } | undefined;
  try {
    main = quantizeGraph(withBodies, optionsFor(graph, options, nested));
  } catch (e) {
    if (!(e instanceof QuantizeError && e.message.includes(NOTHING) && bodyReports.length > 0)) throw e;
  }
  const out = main?.model ?? { ...withBodies, opsetImports: { ...withBodies.opsetImports, ...opsetsOf(bodyReports, withBodies) } };
  const report: QuantizeReport = {
    quantized: [...(main?.report.quantized ?? []), ...bodyReports.flatMap((r) => r.quantized)],
    skipped: [...(main?.report.skipped ?? []), ...bodyReports.flatMap((r) => r.skipped)],
    warnings: [...(main?.report.warnings ?? []), ...bodyReports.flatMap((r) => r.warnings)],
    weightBytesBefore: weightBytes(model.graph, new Set()),
    weightBytesAfter: weightBytes(out.graph, new Set()),
  };
  return { model: out, report };
}

/** The opsets quantized bodies need when the main graph itself had nothing to quantize. */
function opsetsOf(reports: readonly QuantizeReport[], model: Model): Record<string, number> {
  const onnx = model.opsetImports[''] ?? model.opsetImports['ai.onnx'] ?? 1;
  const integerOps = reports.some((r) => r.quantized.some((q) => q.as.startsWith('DynamicQuantizeLinear')));
  return { [QINT_DOMAIN]: 1, '': integerOps ? Math.max(onnx, 11) : onnx };
}

/**
 * Quantizes a model's main graph and every If/Loop/Scan subgraph (at any depth) with `quantizeGraph`.
 * `exclude` and `overrides` may name nodes inside subgraphs; report entries of body layers are named by their path
 * (`Loop "loop".body > MatMul "mm"`).
 *
 * @param model - the float model
 * @param options - the quantizer's options
 * @param quantizeGraph - quantizes one graph (quantizeDynamic's own single-graph pass)
 * @returns the quantized model and the merged report
 * @throws {@link QuantizeError} when nothing in the whole model can be quantized, or an option names a node or op
 *   type found nowhere in it
 */
export function quantizeWithSubgraphs(model: Model, options: QuantizeDynamicOptions, quantizeGraph: GraphQuantizer): { model: Model; report: QuantizeReport } {
  if (!model || !model.graph || !(model.graph.initializers instanceof Map)) return quantizeGraph(model, options);
  const hasBodies = model.graph.nodes.some((n) => subgraphsOf(n).length > 0);
  if (!hasBodies) return quantizeGraph(model, options);
  const names = new Set<string>();
  const types = new Set<string>();
  namesIn(model.graph, names, types, '');
  for (const e of options.exclude ?? []) {
    if (!names.has(e) && !types.has(e)) throw new QuantizeError(`quantizeDynamic: "exclude" names "${e}", which is neither a node name nor an op type in the graph or its subgraphs`, { node: e });
  }
  for (const name of Object.keys(options.overrides ?? {})) {
    if (!names.has(name)) throw new QuantizeError(`quantizeDynamic: "overrides" names node "${name}", which is not in the graph or its subgraphs`, { node: name });
  }
  return quantizeModel(model, options, quantizeGraph, '', new Map(), false);
}
