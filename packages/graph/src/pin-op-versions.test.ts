import { describe, expect, it } from 'vitest';
import { A, f32, graph, model, node, vi } from './__fixtures__/graph-builder';
import { createSession } from './inference-session';
import { pinOpVersions, schemaSinceVersion } from './pin-op-versions';

describe('schemaSinceVersion', () => {
  it("gives the since-version of the schema in force (ONNX's changelog: Slice 1, 10, 11, 13)", () => {
    expect([9, 10, 12, 13, 21].map((v) => schemaSinceVersion('', 'Slice', v))).toEqual([1, 10, 11, 13, 13]);
    expect(schemaSinceVersion('', 'Resize', 9)).toBeUndefined();
    expect(schemaSinceVersion('com.microsoft', 'QLinearAdd', 1)).toBe(1);
  });
});

describe('pinOpVersions', () => {
  // Softmax-1 flattens to 2-D at `axis`; Softmax-13 normalizes along that axis only.
  const g = graph({ nodes: [node('Softmax', ['x'], ['y'], { axis: A.int(1) }, { name: 's' })], inputs: [vi('x', 'float32', [1, 2, 2])], outputs: [vi('y')] });
  const x = f32([1, 2, 2], [0, 0, 0, Math.log(5)]);

  it('keeps an old node meaning what it meant when the opset is raised afterwards', () => {
    const pinned = pinOpVersions(model(g, 11));
    expect(pinned.graph.nodes[0].sinceVersion).toBe(11);
    const raised = { ...pinned, opsetImports: { '': 13 } };
    // Softmax over all four values: e^0 / (3 + 5) = 1/8 for the three zeros, 5/8 for log 5.
    const old = Array.from(createSession(raised).run({ x }).y.data as Float32Array);
    [0.125, 0.125, 0.125, 0.625].forEach((v, i) => expect(old[i]).toBeCloseTo(v, 6));
    // Unpinned, the same node at opset 13 is a softmax along axis 1 (pairs of 0 and 0, 0 and log 5).
    const fresh = Array.from(createSession(model(g, 13)).run({ x }).y.data as Float32Array);
    expect(fresh[0]).toBeCloseTo(0.5, 6);
    expect(fresh[3]).toBeCloseTo(5 / 6, 6);
  });
});
