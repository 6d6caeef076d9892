// Parses the attributes shared by LSTM, GRU, RNN and their dynamically quantized forms.
import type { OpBuildContext } from '../op-definition';
import { recurrentActivations } from './recurrent-activation';
import type { RecurrentConfig, RecurrentKind } from './run-recurrent';

const DEFAULT_ACTIVATIONS: Record<RecurrentKind, readonly string[]> = {
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  RNN: ['Tanh'],
};

/**
 * The {@link RecurrentConfig} of a node. `hidden_size` may be omitted when `hiddenFromWeights` (from R) is known.
 *
 * @param ctx - the node's build context
 * @param kind - LSTM, GRU or RNN
 * @param hiddenFromWeights - the hidden size the constant weights imply, if known
 * @returns the parsed config
 * @throws {@link GraphError} for a bad attribute value; `UnsupportedVariant` for an unknown activation
 * @example
 * ```ts
 * const config = readRecurrentConfig(ctx, 'LSTM', undefined);
 * ```
 */
export function readRecurrentConfig(ctx: OpBuildContext, kind: RecurrentKind, hiddenFromWeights: number | undefined): RecurrentConfig {
  const a = ctx.attrs;
  const direction = a.string('direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
    a.fail(`attribute "direction" must be forward, reverse or bidirectional, got "${direction}"`);
  }
  const layout = a.int('layout', 0);
  if (layout !== 0 && layout !== 1) a.fail(`attribute "layout" must be 0 or 1, got ${layout}`);
  const hidden = a.int('hidden_size') ?? hiddenFromWeights;
  if (hidden === undefined || !Number.isSafeInteger(hidden) || hidden <= 0) {
    a.fail(`attribute "hidden_size" must be a positive integer (or R must be a constant), got ${hidden}`);
  }
  if (hiddenFromWeights !== undefined && hidden !== hiddenFromWeights) {
    a.fail(`attribute "hidden_size" = ${hidden} disagrees with R, whose last dim is ${hiddenFromWeights}`);
  }
  const clip = a.float('clip');
  if (clip !== undefined && !(clip > 0)) a.fail(`attribute "clip" must be positive, got ${clip}`);
  const inputForget = a.int('input_forget', 0);
  if (inputForget !== 0 && inputForget !== 1) a.fail(`attribute "input_forget" must be 0 or 1, got ${inputForget}`);
  const lbr = a.int('linear_before_reset', 0);
  if (a.int('output_sequence', 0) !== 0 && ctx.opset >= 7) a.fail('attribute "output_sequence" was removed in opset 7');
  const activations = recurrentActivations(
    a.strings('activations', []),
    a.floats('activation_alpha', []),
    a.floats('activation_beta', []),
    DEFAULT_ACTIVATIONS[kind],
    direction === 'bidirectional' ? 2 : 1,
  );
  return {
    kind,
    hidden: hidden!,
    direction: direction as RecurrentConfig['direction'],
    layout: layout as 0 | 1,
    ...(clip !== undefined ? { clip } : {}),
    inputForget: inputForget === 1,
    linearBeforeReset: lbr !== 0,
    activations,
  };
}
