// Dev-only: specializes a model's control flow to one input: every If is replaced by the branch that onnxruntime
// takes on that input (its nodes spliced in, its outputs renamed by Identity nodes), repeated until no If is left.
// Lets check.mjs compare the rest of a detector (RoiAlign, NMS, ScatterElements, ...) while If is not supported.
import * as ort from 'onnxruntime-node';
import { encodeOnnx } from 'qint';

/**
 * @param {import('qint').Model} model - a decoded model (not modified)
 * @param {Record<string, import('onnxruntime-node').Tensor>} feeds - the onnxruntime feeds
 * @returns {Promise<{ model: import('qint').Model, inlined: number }>}
 */
export async function inlineIfs(model, feeds) {
  let graph = model.graph;
  let inlined = 0;
  for (let round = 0; round < 16; round++) {
    const ifs = graph.nodes.filter((n) => n.opType === 'If');
    if (ifs.length === 0) break;
    // The conditions of this round's Ifs, as extra outputs of the current graph.
    const probe = { ...model, graph: { ...graph, outputs: ifs.map((n) => ({ name: n.inputs[0] })) } };
    const session = await ort.InferenceSession.create(encodeOnnx(probe));
    const res = await session.run(feeds);
    const nodes = [];
    const initializers = new Map(graph.initializers);
    for (const n of graph.nodes) {
      if (n.opType !== 'If') {
        nodes.push(n);
        continue;
      }
      const cond = Boolean(res[n.inputs[0]].data[0]);
      const branch = n.attributes[cond ? 'then_branch' : 'else_branch'].value;
      for (const [k, v] of branch.initializers) initializers.set(k, v);
      nodes.push(...branch.nodes);
      branch.outputs.forEach((o, i) => {
        if (n.outputs[i]) nodes.push({ name: `${n.name}/inlined_${i}`, opType: 'Identity', domain: '', inputs: [o.name], outputs: [n.outputs[i]], attributes: {} });
      });
      inlined++;
    }
    graph = { ...graph, nodes, initializers };
  }
  return { model: { ...model, graph }, inlined };
}
