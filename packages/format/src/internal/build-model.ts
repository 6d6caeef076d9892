// Turns a validated header into a Model. It runs twice: first without tensors, to check every graph field and
// reference before any tensor data is read or allocated; then with the tensors, to build the Model.
import { dtypeInfo, isDType, QintError, QuantParams, type Tensor } from '@qint/tensor';
import { FormatError } from '../format-error';
import type { QintDocument } from '../qint-types';
import { pinOpVersions } from '@qint/graph';
import type { Attribute, Dim, Graph, Model, Node, ValueInfo, ValueType } from './ir';
import type { HeaderContext, QuantSpec, TensorEntry, ValidHeader } from './read-header';
import { decodeNumber, defineOwn } from './shared';
import type { JsonObject, JsonValue } from './strict-json';

const ATTRIBUTE_TYPES = new Set(['float', 'int', 'string', 'tensor', 'graph', 'floats', 'ints', 'strings', 'tensors', 'type_proto']);
/** Deepest nesting of sequence/optional types a header may declare (keeps validation bounded). */
const MAX_TYPE_DEPTH = 16;

/** Pass 1: validates graph, references and roles; every table entry must be referenced exactly once. */
export function checkModel(h: ValidHeader): void {
  const refs = new Uint32Array(h.tensors.length);
  new Builder(h, refs, undefined).model();
  for (let i = 0; i < refs.length; i++) {
    if (refs[i] === 0) {
      h.ctx.fail('UNREFERENCED_TENSOR', `tensors[${i}] (${h.tensors[i].name}) is not used by the graph; a file holds no hidden data`, `tensors[${i}]`, h.tensorsJson, i);
    }
  }
}

/** Pass 2: builds the document from the tensors (one per table entry, in table order). */
export function buildDocument(h: ValidHeader, tensors: readonly Tensor[]): QintDocument {
  const model = new Builder(h, undefined, tensors).model();
  return {
    model,
    metadata: h.metadata,
    extensions: h.extensions,
    version: { major: h.preamble.major, minor: h.preamble.minor },
    producer: h.producer,
  };
}

const PLACEHOLDER = Object.freeze({}) as unknown as Tensor;

class Builder {
  private readonly ctx: HeaderContext;
  constructor(
    private readonly h: ValidHeader,
    private readonly refs: Uint32Array | undefined,
    private readonly tensors: readonly Tensor[] | undefined,
  ) {
    this.ctx = h.ctx;
  }

  model(): Model {
    const { ctx } = this;
    const m = this.h.modelJson;
    const opsetJson = ctx.obj(m, 'opsetImports', 'model.opsetImports')!;
    const opsetImports: Record<string, number> = {};
    for (const k of Object.keys(opsetJson)) defineOwn(opsetImports, k, ctx.int(opsetJson, k, `model.opsetImports.${k}`));
    const metaJson = ctx.obj(m, 'metadata', 'model.metadata')!;
    const metadata: Record<string, string> = {};
    for (const k of Object.keys(metaJson)) defineOwn(metadata, k, ctx.str(metaJson, k, `model.metadata.${k}`));
    const model: { -readonly [K in keyof Model]: Model[K] } = {
      irVersion: ctx.int(m, 'irVersion', 'model.irVersion')!,
      opsetImports,
      producerName: ctx.str(m, 'producerName', 'model.producerName')!,
      producerVersion: ctx.str(m, 'producerVersion', 'model.producerVersion')!,
      metadata,
      graph: this.graph(this.h.graphJson, 'graph', undefined),
    };
    const domain = ctx.str(m, 'domain', 'model.domain', true);
    if (domain !== undefined) model.domain = domain;
    const modelVersion = ctx.int(m, 'modelVersion', 'model.modelVersion', undefined, true);
    if (modelVersion !== undefined) model.modelVersion = modelVersion;
    const docString = ctx.str(m, 'docString', 'model.docString', true);
    if (docString !== undefined) model.docString = docString;
    return pinOpVersions(model);
  }

  private ref(index: number, field: string, container: object, key: string | number, role: TensorEntry['role']): Tensor {
    const { ctx } = this;
    if (index >= this.h.tensors.length) {
      ctx.fail('DANGLING_REFERENCE', `${field} refers to tensors[${index}] but the table has ${this.h.tensors.length} entries`, field, container, key);
    }
    if (this.refs) {
      if (this.refs[index]++ > 0) {
        ctx.fail('DUPLICATE_REFERENCE', `${field} refers to tensors[${index}] (${this.h.tensors[index].name}), which is already used elsewhere`, field, container, key);
      }
      this.h.tensors[index].role = role;
      if (role !== 'initializer' && this.h.tensors[index].quant) {
        ctx.fail('BAD_QUANT_PARAMS', `tensors[${index}] (${this.h.tensors[index].name}) has quant params but is not a graph initializer`, `tensors[${index}].quant`, this.h.tensorsJson[index] as object, 'quant');
      }
      return PLACEHOLDER;
    }
    return this.tensors![index];
  }

  private graph(g: JsonObject, field: string, outer: Scope | undefined): Graph {
    const { ctx } = this;
    const name = ctx.str(g, 'name', `${field}.name`)!;
    // A chain of scopes, not a copy of the outer names per subgraph: copying would make a header with many
    // subgraphs quadratic in its size (a cheap denial of service).
    const defined = new Scope(outer);
    const inputs = this.valueInfos(g, 'inputs', field);
    for (const v of inputs) defined.add(v.name);
    const initJson = ctx.arr(g, 'initializers', `${field}.initializers`)!;
    const initializers = new Map<string, Tensor>();
    const initIndex = new Map<string, number>();
    initJson.forEach((_, i) => {
      const f = `${field}.initializers[${i}]`;
      const e = ctx.obj(initJson, i, f)!;
      const n = ctx.str(e, 'name', `${f}.name`)!;
      if (initializers.has(n)) ctx.fail('BAD_FIELD', `${f}.name ${JSON.stringify(n)} repeats an earlier initializer`, `${f}.name`, e, 'name');
      const index = ctx.int(e, 'tensor', `${f}.tensor`, 0)!;
      initializers.set(n, this.ref(index, `${f}.tensor`, e, 'tensor', 'initializer'));
      initIndex.set(n, index);
      defined.add(n);
    });
    const nodesJson = ctx.arr(g, 'nodes', `${field}.nodes`)!;
    const nodes: Node[] = nodesJson.map((_, i) => this.node(ctx.obj(nodesJson, i, `${field}.nodes[${i}]`)!, `${field}.nodes[${i}]`, defined));
    const outputs = this.valueInfos(g, 'outputs', field);
    const outputsJson = g.outputs as JsonValue[];
    outputs.forEach((v, i) => {
      if (!defined.has(v.name)) {
        ctx.fail('DANGLING_REFERENCE', `${field}.outputs[${i}] ${JSON.stringify(v.name)} is produced by no node, input or initializer`, `${field}.outputs[${i}]`, outputsJson, i);
      }
    });
    const graph: { -readonly [K in keyof Graph]: Graph[K] } = {
      name,
      nodes,
      initializers,
      inputs,
      outputs,
      valueInfo: this.valueInfos(g, 'valueInfo', field),
    };
    const qpJson = ctx.arr(g, 'quantParams', `${field}.quantParams`, true);
    const listed = new Set<string>();
    if (qpJson) {
      const quantParams = new Map<string, QuantParams>();
      qpJson.forEach((_, i) => {
        const f = `${field}.quantParams[${i}]`;
        const n = ctx.str(qpJson, i, f)!;
        const index = initIndex.get(n);
        if (index === undefined) return ctx.fail('DANGLING_REFERENCE', `${f} ${JSON.stringify(n)} is not an initializer of this graph`, f, qpJson, i);
        if (listed.has(n)) ctx.fail('BAD_FIELD', `${f} ${JSON.stringify(n)} is listed twice`, f, qpJson, i);
        listed.add(n);
        const spec = this.h.tensors[index].quant;
        if (!spec) return ctx.fail('BAD_QUANT_PARAMS', `${f} ${JSON.stringify(n)} is listed but tensors[${index}] has no quant`, f, qpJson, i);
        quantParams.set(n, this.quant(spec, this.h.tensors[index]));
      });
      graph.quantParams = quantParams;
    }
    for (const [n, index] of initIndex) {
      if (this.h.tensors[index].quant && !listed.has(n)) {
        const t = this.h.tensors[index];
        ctx.fail('BAD_QUANT_PARAMS', `${t.field} (${t.name}) has quant params but ${field}.quantParams does not list ${JSON.stringify(n)}`, `${t.field}.quant`, this.h.tensorsJson[index] as object, 'quant');
      }
    }
    const docString = ctx.str(g, 'docString', `${field}.docString`, true);
    if (docString !== undefined) graph.docString = docString;
    return graph;
  }

  private valueInfos(g: JsonObject, key: string, field: string): ValueInfo[] {
    const { ctx } = this;
    const list = ctx.arr(g, key, `${field}.${key}`)!;
    return list.map((_, i) => {
      const f = `${field}.${key}[${i}]`;
      const v = ctx.obj(list, i, f)!;
      const out: { -readonly [K in keyof ValueInfo]: ValueInfo[K] } = { name: ctx.str(v, 'name', `${f}.name`)! };
      const dtype = v.dtype;
      if (dtype !== undefined) {
        if (!isDType(dtype)) return ctx.fail('BAD_DTYPE', `${f}.dtype is not a qint dtype: ${JSON.stringify(dtype)}`, `${f}.dtype`, v, 'dtype');
        out.dtype = dtype;
      }
      const shape = this.dims(v, f);
      if (shape) out.shape = shape;
      if (v.type !== undefined) {
        const t = this.valueType(ctx.obj(v, 'type', `${f}.type`)!, `${f}.type`, 0);
        if (t.kind === 'tensor') ctx.fail('BAD_FIELD', `${f}.type is only for sequences and optionals; a tensor is described by dtype and shape`, `${f}.type`, v, 'type');
        if (out.dtype !== undefined || out.shape !== undefined) ctx.fail('BAD_FIELD', `${f} has both a ${t.kind} type and a tensor dtype/shape`, `${f}.type`, v, 'type');
        out.type = t;
      }
      const doc = ctx.str(v, 'docString', `${f}.docString`, true);
      if (doc !== undefined) out.docString = doc;
      return out;
    });
  }

  private dims(v: JsonObject, f: string): Dim[] | undefined {
    const { ctx } = this;
    const shape = ctx.arr(v, 'shape', `${f}.shape`, true);
    if (!shape) return undefined;
    return shape.map((d, k): Dim => {
      if (d === null) return undefined;
      if (typeof d === 'string') return d;
      if (typeof d === 'number' && Number.isSafeInteger(d)) return d;
      return ctx.fail('BAD_SHAPE', `${f}.shape[${k}] must be an integer, a symbolic name or null, got ${JSON.stringify(d)}`, `${f}.shape[${k}]`, shape, k);
    });
  }

  /** A declared sequence/optional/tensor type: `{ kind, dtype?, shape?, elem? }`, nested at most MAX_TYPE_DEPTH deep. */
  private valueType(t: JsonObject, f: string, depth: number): ValueType {
    const { ctx } = this;
    if (depth >= MAX_TYPE_DEPTH) ctx.fail('BAD_FIELD', `${f} nests types deeper than ${MAX_TYPE_DEPTH}`, f, t);
    const kind = ctx.str(t, 'kind', `${f}.kind`)!;
    if (kind === 'tensor') {
      const out: { kind: 'tensor'; dtype?: ValueInfo['dtype']; shape?: Dim[] } = { kind };
      if (t.dtype !== undefined) {
        if (!isDType(t.dtype)) return ctx.fail('BAD_DTYPE', `${f}.dtype is not a qint dtype: ${JSON.stringify(t.dtype)}`, `${f}.dtype`, t, 'dtype');
        out.dtype = t.dtype;
      }
      const shape = this.dims(t, f);
      if (shape) out.shape = shape;
      return out;
    }
    if (kind !== 'sequence' && kind !== 'optional') return ctx.fail('BAD_FIELD', `${f}.kind must be "tensor", "sequence" or "optional", got ${JSON.stringify(kind)}`, `${f}.kind`, t, 'kind');
    if (t.elem === undefined) return { kind };
    return { kind, elem: this.valueType(ctx.obj(t, 'elem', `${f}.elem`)!, `${f}.elem`, depth + 1) };
  }

  private strings(parent: JsonObject, key: string, field: string): string[] {
    const list = this.ctx.arr(parent, key, `${field}.${key}`)!;
    return list.map((_, i) => this.ctx.str(list, i, `${field}.${key}[${i}]`)!);
  }

  private node(n: JsonObject, field: string, defined: Scope): Node {
    const { ctx } = this;
    const inputs = this.strings(n, 'inputs', field);
    const inputsJson = n.inputs as JsonValue[];
    inputs.forEach((name, i) => {
      if (name !== '' && !defined.has(name)) {
        ctx.fail('DANGLING_REFERENCE', `${field}.inputs[${i}] ${JSON.stringify(name)} is not a graph input, an initializer or an output of an earlier node`, `${field}.inputs[${i}]`, inputsJson, i);
      }
    });
    const attrJson = ctx.obj(n, 'attributes', `${field}.attributes`)!;
    const attributes: Record<string, Attribute> = {};
    for (const key of Object.keys(attrJson)) defineOwn(attributes, key, this.attribute(attrJson, key, `${field}.attributes.${key}`, defined));
    const outputs = this.strings(n, 'outputs', field);
    const node: { -readonly [K in keyof Node]: Node[K] } = {
      name: ctx.str(n, 'name', `${field}.name`)!,
      opType: ctx.str(n, 'opType', `${field}.opType`)!,
      domain: ctx.str(n, 'domain', `${field}.domain`)!,
      inputs,
      outputs,
      attributes,
    };
    for (const o of outputs) if (o !== '') defined.add(o);
    const doc = ctx.str(n, 'docString', `${field}.docString`, true);
    if (doc !== undefined) node.docString = doc;
    // Since format 1.1: the node's pinned operator version. Older files have none; the reader pins them from opsetImports.
    const sinceVersion = ctx.int(n, 'sinceVersion', `${field}.sinceVersion`, 1, true);
    if (sinceVersion !== undefined) node.sinceVersion = sinceVersion;
    return node;
  }

  private number(parent: object, key: string | number, field: string): number {
    const v = decodeNumber((parent as Record<string | number, unknown>)[key]);
    if (v === undefined) this.ctx.fail('BAD_FIELD', `${field} must be a number or one of "NaN", "Infinity", "-Infinity", "-0"`, field, parent, key);
    return v;
  }

  private attribute(parent: JsonObject, key: string, field: string, defined: Scope): Attribute {
    const { ctx } = this;
    const a = ctx.obj(parent, key, field)!;
    const type = a.type;
    if (typeof type !== 'string' || !ATTRIBUTE_TYPES.has(type)) {
      ctx.fail('BAD_FIELD', `${field}.type must be one of ${[...ATTRIBUTE_TYPES].join(', ')}, got ${JSON.stringify(type)}`, `${field}.type`, a, 'type');
    }
    const f = `${field}.value`;
    switch (type) {
      case 'float':
      case 'int':
        return { type, value: this.number(a, 'value', f) };
      case 'floats':
      case 'ints': {
        const list = ctx.arr(a, 'value', f)!;
        return { type, value: list.map((_, i) => this.number(list, i, `${f}[${i}]`)) };
      }
      case 'string':
        return { type, value: ctx.str(a, 'value', f)! };
      case 'strings':
        return { type, value: this.strings(a, 'value', field) };
      case 'tensor':
        return { type, value: this.ref(ctx.int(a, 'value', f, 0)!, f, a, 'value', 'attribute') };
      case 'tensors': {
        const list = ctx.arr(a, 'value', f)!;
        return { type, value: list.map((_, i) => this.ref(ctx.int(list, i, `${f}[${i}]`, 0)!, `${f}[${i}]`, list, i, 'attribute')) };
      }
      case 'type_proto':
        return { type, value: this.valueType(ctx.obj(a, 'value', f)!, f, 0) };
      default:
        return { type: 'graph', value: this.graph(ctx.obj(a, 'value', f)!, f, defined) };
    }
  }

  private quant(spec: QuantSpec, t: TensorEntry): QuantParams {
    const { ctx } = this;
    const side = (key: 'scale' | 'zeroPoint'): ArrayLike<number> | undefined => {
      const v = spec[key];
      if (typeof v !== 'number') return v;
      const role = key === 'scale' ? 'scale' : 'zero-point';
      const dtype = key === 'scale' ? 'float32' : 'int32';
      const f = `${spec.field}.${key}.tensor`;
      const tensor = this.ref(v, f, this.h.tensorsJson[t.index] as object, 'quant', role);
      const target = this.h.tensors[v];
      if (target.dtype !== dtype || target.shape.length !== 1 || target.shape[0] !== spec.count) {
        ctx.fail('BAD_QUANT_PARAMS', `${f} must refer to a ${dtype}[${spec.count}] tensor, but tensors[${v}] is ${target.dtype}[${target.shape.join(',')}]`, f, this.h.tensorsJson[t.index] as object, 'quant');
      }
      return this.tensors ? (tensor.data as Float32Array | Int32Array) : undefined;
    };
    const scale = side('scale');
    const zeroPoint = side('zeroPoint');
    if (!scale || !zeroPoint) return PLACEHOLDER as unknown as QuantParams;
    const at = (key: 'scale' | 'zeroPoint', i: number): number => {
      const v = spec[key];
      if (typeof v === 'number') return this.h.preamble.dataOffset + this.h.tensors[v].offset + 4 * i;
      return spec.offset();
    };
    // QuantParams validates scales and zero points itself; only when it refuses do we scan for the first bad entry,
    // so that the error can name it and its byte offset (keeps the common path to one pass over the params).
    try {
      const qp =
        spec.granularity === 'per-tensor'
          ? QuantParams.perTensor(spec.dtype, scale[0], zeroPoint[0])
          : spec.granularity === 'per-axis'
            ? QuantParams.perAxis(spec.dtype, spec.axis, scale, zeroPoint)
            : QuantParams.blocked(spec.dtype, spec.axis, spec.blockSize, scale, zeroPoint);
      qp.validateFor(t.shape);
      return qp;
    } catch (e) {
      if (!(e instanceof QintError)) throw e;
      const { min, max } = dtypeInfo(spec.dtype);
      for (let i = 0; i < scale.length; i++) {
        const s = Math.fround(scale[i]);
        if (!Number.isFinite(s) || s <= 0) badQuant(`${spec.field}.scale[${i}] must be finite and > 0 as a float32, got ${scale[i]}`, `${spec.field}.scale[${i}]`, at('scale', i), e);
      }
      for (let i = 0; i < zeroPoint.length; i++) {
        const z = zeroPoint[i];
        if (!Number.isInteger(z) || z < min || z > max) {
          badQuant(`${spec.field}.zeroPoint[${i}] = ${z} is not an integer in [${min}, ${max}] of ${spec.dtype}`, `${spec.field}.zeroPoint[${i}]`, at('zeroPoint', i), e);
        }
      }
      return badQuant(`${spec.field} is inconsistent: ${e.message}`, spec.field, spec.offset(), e);
    }
  }
}

/** Names visible in a graph: its own, then those of the enclosing graphs defined before the subgraph's node. */
class Scope {
  private readonly names = new Set<string>();
  constructor(private readonly parent: Scope | undefined) {}
  add(name: string): void {
    this.names.add(name);
  }
  has(name: string): boolean {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.names.has(name)) return true;
    return false;
  }
}

function badQuant(message: string, field: string, offset: number, cause?: unknown): never {
  throw new FormatError('BAD_QUANT_PARAMS', message, { field, offset, cause });
}
