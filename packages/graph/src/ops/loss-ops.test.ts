import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, i64, runOp } from '../__fixtures__/graph-builder';

describe('NegativeLogLikelihoodLoss', () => {
  // input [N=2, C=3]: loss_n = −input[n, target_n]
  const x = f32([2, 3], [-1, -2, -3, -4, -5, -6]);
  const target = i64([2, 0]);

  it('none / sum / mean, with and without class weights', () => {
    expectClose(runOp('NegativeLogLikelihoodLoss', [x, target], { reduction: A.str('none') }, { opset: 13 })[0].toArray(), [3, 4]);
    expectClose(runOp('NegativeLogLikelihoodLoss', [x, target], { reduction: A.str('sum') }, { opset: 13 })[0].toArray(), [7]);
    const mean = runOp('NegativeLogLikelihoodLoss', [x, target], {}, { opset: 13 })[0];
    expect(mean.shape).toEqual([]);
    expectClose(mean.toArray(), [3.5]);
    // weights w = [0.5, 1, 2]: losses 3·2 = 6 and 4·0.5 = 2; mean divides by the weights taken, 2 + 0.5
    const w = f32([3], [0.5, 1, 2]);
    expectClose(runOp('NegativeLogLikelihoodLoss', [x, target, w], { reduction: A.str('none') }, { opset: 13 })[0].toArray(), [6, 2]);
    expectClose(runOp('NegativeLogLikelihoodLoss', [x, target, w], {}, { opset: 13 })[0].toArray(), [8 / 2.5]);
  });

  it('ignore_index drops a target from the loss and from the mean; spatial dims', () => {
    expectClose(runOp('NegativeLogLikelihoodLoss', [x, i64([2, -1])], { ignore_index: A.int(-1) }, { opset: 13 })[0].toArray(), [3]);
    // [N=1, C=2, d=2]: input[0, c, d]; targets [1, 0] → −input[0,1,0], −input[0,0,1]
    const s = f32([1, 2, 2], [-0.1, -0.2, -0.3, -0.4]);
    expectClose(runOp('NegativeLogLikelihoodLoss', [s, i64([1, 0], [1, 2])], { reduction: A.str('none') }, { opset: 13 })[0].toArray(), [0.3, 0.2]);
  });

  it('refuses out-of-range targets and mismatched shapes', () => {
    expect(() => runOp('NegativeLogLikelihoodLoss', [x, i64([3, 0])], {}, { opset: 13 })).toThrow(/target value 3 at 0 is outside \[0, 3\)/);
    expect(() => runOp('NegativeLogLikelihoodLoss', [x, i64([0, 0, 0])], {}, { opset: 13 })).toThrow(/target \[3\] must be \[2\]/);
    expect(() => runOp('NegativeLogLikelihoodLoss', [x, target], { reduction: A.str('max') }, { opset: 13 })).toThrow(/reduction "max"/);
  });
});

describe('SoftmaxCrossEntropyLoss', () => {
  it('is NLL of log-softmax along dim 1, and returns log_prob', () => {
    // scores [1, 3] = [0, ln 2, ln 5]: softmax = [1, 2, 5] / 8
    const scores = f32([1, 3], [0, Math.log(2), Math.log(5)]);
    const [loss, logp] = runOp('SoftmaxCrossEntropyLoss', [scores, i64([2])], {}, { opset: 13, outputs: 2 });
    expectClose(loss.toArray(), [-Math.log(5 / 8)]);
    expectClose(logp.toArray(), [Math.log(1 / 8), Math.log(2 / 8), Math.log(5 / 8)]);
    expect(logp.shape).toEqual([1, 3]);
    const none = runOp('SoftmaxCrossEntropyLoss', [f32([2, 2], [0, 0, 1, 1]), i64([0, 1])], { reduction: A.str('none') }, { opset: 13 })[0];
    expectClose(none.toArray(), [Math.LN2, Math.LN2]);
    expect(() => runOp('SoftmaxCrossEntropyLoss', [Tensor.from('int32', [1, 2], [0, 1]), i64([0])], {}, { opset: 13 })).toThrow(/scores must be float32, float16 or float64, got int32/);
  });
});
