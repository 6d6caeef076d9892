// Arguments a caller gets wrong: a backend given by name, feeds given as one tensor. Each must fail with a message
// that names the argument and the expected form, never be silently ignored.
import { createJsBackend } from '@qint/kernels';
import { describe, expect, it } from 'vitest';
import { f32, graph, model, node, vi } from './__fixtures__/graph-builder';
import { GraphError } from './graph-error';
import { InferenceSession } from './inference-session';

const m = model(graph({ nodes: [node('Add', ['x', 'w'], ['y'])], inputs: [vi('x', 'float32', [2]), vi('w', 'float32', [2])], outputs: [vi('y')], initializers: { w: f32([2], [10, 20]) } }));

describe('session arguments', () => {
  it("takes backend 'js' by name and refuses other names and non-backends with a GraphError", () => {
    expect(InferenceSession.create(m, { backend: 'js' }).run({ x: f32([2], [1, 2]) }).y.toArray()).toEqual([11, 22]);
    const wasm = (() => {
      try {
        InferenceSession.create(m, { backend: 'wasm' as never });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(wasm).toBeInstanceOf(GraphError);
    expect(wasm!.message).toMatch(/^create: options.backend "wasm" is a name; InferenceSession.create takes 'js' or a backend object. The WASM backend is created asynchronously: pass `await createWasmBackend\(\)`/);
    expect(() => InferenceSession.create(m, { backend: 'gpu' as never })).toThrow(/options.backend "gpu" is a name.*Known backends are js and wasm/);
    expect(() => InferenceSession.create(m, { backend: { name: 'x' } as never })).toThrow(/options.backend must be a KernelBackend/);
    expect(InferenceSession.create(m, { backend: createJsBackend() }).run({ x: f32([2], [0, 0]) }).y.toArray()).toEqual([10, 20]);
  });

  it('says feeds are an object by input name when given a tensor, and lists only the real inputs', () => {
    const s = InferenceSession.create(m);
    expect(() => s.run(f32([2], [1, 2]) as never)).toThrow('run: feeds must be an object of tensors by input name, { x: tensor }; got a Tensor');
    expect(() => s.run([f32([2], [1, 2])] as never)).toThrow(/got an array/);
    expect(() => s.run({ dtype: f32([2], [1, 2]) } as never)).toThrow('run: feed "dtype" is not a graph input; the model\'s inputs are "x" (and 1 initializers that may be fed to override them)');
  });
});
