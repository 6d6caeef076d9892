// ai.onnx LSTM, GRU and RNN: every direction, layout, sequence_lens, initial states, peepholes, clip, activations.
import type { Tensor } from '@qint/tensor';
import { onnxOp } from '../define-op';
import type { OpBuildContext, OpDefinition, OpKernel, ShapeInferrer } from '../op-definition';
import { readRecurrentConfig } from './recurrent-config';
import { floatRecurrentWeights, releaseRecurrentWeights } from './recurrent-weights';
import { runRecurrent, type DirectionWeights, type RecurrentInputs, type RecurrentKind } from './run-recurrent';
import { withNodeLabel } from './with-node-label';

/** Whether input `i` of the node is given (not omitted, not ''). */
export function hasInput(ctx: OpBuildContext, i: number): boolean {
  const name = ctx.node.inputs[i];
  return name !== undefined && name !== '';
}

/** The run-time inputs of a recurrent node (`initial_c` for LSTM only). */
export function runInputs(kind: RecurrentKind, inputs: readonly (Tensor | undefined)[]): RecurrentInputs {
  return {
    x: inputs[0]!,
    ...(inputs[4] ? { sequenceLens: inputs[4] } : {}),
    ...(inputs[5] ? { initialH: inputs[5] } : {}),
    ...(kind === 'LSTM' && inputs[6] ? { initialC: inputs[6] } : {}),
  };
}

function buildFloat(kind: RecurrentKind) {
  return (ctx: OpBuildContext): OpKernel =>
    withNodeLabel(ctx.label, () => {
      const r = ctx.constant(2);
      const config = readRecurrentConfig(ctx, kind, r?.rank === 3 ? r.shape[2] : undefined);
      // Weight inputs: W, R, B and (LSTM) P. When all given ones are initializers they are validated and wrapped once
      // here, and the backend packs each direction's matrices once, at the first run.
      const weightInputs = kind === 'LSTM' ? [1, 2, 3, 7] : [1, 2, 3];
      const constant = weightInputs.every((i) => !hasInput(ctx, i) || ctx.constant(i) !== undefined);
      const make = (get: (i: number) => Tensor | undefined): DirectionWeights[] =>
        floatRecurrentWeights(config, get(1)!, get(2)!, get(3), kind === 'LSTM' ? get(7) : undefined, ctx.backend);
      const prepared = constant ? make((i) => ctx.constant(i)) : undefined;
      return (inputs) => {
        if (prepared) return runRecurrent(config, prepared, runInputs(kind, inputs));
        const weights = make((i) => inputs[i]);
        try {
          return runRecurrent(config, weights, runInputs(kind, inputs));
        } finally {
          releaseRecurrentWeights(weights);
        }
      };
    });
}

/**
 * Output shapes of a recurrent node from X and the config's attributes.
 *
 * @param kind - LSTM, GRU or RNN
 * @returns the shape inferrer
 */
export function recurrentInfer(kind: RecurrentKind): ShapeInferrer {
  return (ctx, inputs) => {
    const x = inputs[0];
    const layout = ctx.attrs.int('layout', 0);
    const dirs = ctx.attrs.string('direction', 'forward') === 'bidirectional' ? 2 : 1;
    const r = inputs[2]?.shape;
    const hidden = ctx.attrs.int('hidden_size') ?? r?.[2];
    const states = kind === 'LSTM' ? 2 : 1;
    if (!x?.shape || x.shape.length !== 3) return Array.from({ length: 1 + states }, () => ({ dtype: 'float32' as const }));
    const [seq, batch] = layout === 0 ? [x.shape[0], x.shape[1]] : [x.shape[1], x.shape[0]];
    const y = layout === 0 ? [seq, dirs, batch, hidden] : [batch, seq, dirs, hidden];
    const state = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
    return [{ dtype: 'float32', shape: y }, ...Array.from({ length: states }, () => ({ dtype: 'float32' as const, shape: state }))];
  };
}

/** LSTM, GRU and RNN (ai.onnx, every opset). */
export const recurrentOps: readonly OpDefinition[] = [
  onnxOp('LSTM', 1, buildFloat('LSTM'), recurrentInfer('LSTM')),
  onnxOp('GRU', 1, buildFloat('GRU'), recurrentInfer('GRU')),
  onnxOp('RNN', 1, buildFloat('RNN'), recurrentInfer('RNN')),
];
