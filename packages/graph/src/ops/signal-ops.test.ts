import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, i64, runOp } from '../__fixtures__/graph-builder';

const scalar = (v: number) => Tensor.from('int64', [], [v]);

describe('DFT', () => {
  it('forward, inverse and onesided transforms of [1, 2, 3, 4] (opset 20, axis input)', () => {
    // DFT of [1, 2, 3, 4]: [10, −2 + 2i, −2, −2 − 2i]
    const x = f32([1, 4, 1], [1, 2, 3, 4]);
    const y = runOp('DFT', [x, null, scalar(1)], {}, { opset: 20 })[0];
    expect(y.shape).toEqual([1, 4, 2]);
    expectClose(y.toArray(), [10, 0, -2, 2, -2, 0, -2, -2], 1e-6);
    const inv = runOp('DFT', [y, null, scalar(1)], { inverse: A.int(1) }, { opset: 20 })[0];
    expectClose(inv.toArray(), [1, 0, 2, 0, 3, 0, 4, 0], 1e-6);
    const half = runOp('DFT', [x, null, scalar(1)], { onesided: A.int(1) }, { opset: 20 })[0];
    expect(half.shape).toEqual([1, 3, 2]);
    expectClose(half.toArray(), [10, 0, -2, 2, -2, 0], 1e-6);
    // irfft: the half spectrum back to the real signal of length 2·(3 − 1) = 4
    const back = runOp('DFT', [half, null, scalar(1)], { inverse: A.int(1), onesided: A.int(1) }, { opset: 20 })[0];
    expect(back.shape).toEqual([1, 4, 1]);
    expectClose(back.toArray(), [1, 2, 3, 4], 1e-6);
  });

  it('dft_length pads or truncates; opset 17 takes axis as an attribute', () => {
    // [1, 1] padded to 4: 1 + e^(−iπk/2) = [2, 1 − i, 0, 1 + i]
    const y = runOp('DFT', [f32([1, 2, 1], [1, 1]), i64([4], [])], { axis: A.int(1) }, { opset: 17 })[0];
    expectClose(y.toArray(), [2, 0, 1, -1, 0, 0, 1, 1], 1e-6);
    const cut = runOp('DFT', [f32([1, 4, 1], [1, 2, 3, 4]), i64([2], [])], { axis: A.int(1) }, { opset: 17 })[0];
    expectClose(cut.toArray(), [3, 0, -1, 0], 1e-6);
    expect(() => runOp('DFT', [f32([1, 4, 3], new Array(12).fill(0)), null, scalar(1)], {}, { opset: 20 })).toThrow(/must end in a dim of 1 \(real\) or 2 \(complex\)/);
  });
});

describe('STFT', () => {
  it('frames, windows and transforms a signal (onesided)', () => {
    // signal [1, 2, 3, 4, 5], frame 2, step 2: frames [1, 2], [3, 4] → bins (a + b, a − b)
    const s = f32([1, 5, 1], [1, 2, 3, 4, 5]);
    const y = runOp('STFT', [s, scalar(2), null, scalar(2)], {}, { opset: 17 })[0];
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expectClose(y.toArray(), [3, 0, -1, 0, 7, 0, -1, 0], 1e-6);
    const w = runOp('STFT', [s, scalar(2), f32([2], [0.5, 1])], {}, { opset: 17 })[0];
    expectClose(w.toArray(), [2.5, 0, -1.5, 0, 5.5, 0, -2.5, 0], 1e-6);
  });
});

describe('window ops', () => {
  it('Hann, Hamming and Blackman, periodic and symmetric', () => {
    // periodic N = 4: cos(2πk/4) = [1, 0, −1, 0]
    expectClose(runOp('HannWindow', [Tensor.from('int32', [], [4])], {}, { opset: 17 })[0].toArray(), [0, 0.5, 1, 0.5]);
    expectClose(runOp('HammingWindow', [Tensor.from('int32', [], [4])], {}, { opset: 17 })[0].toArray(), [4 / 46, 25 / 46, 1, 25 / 46]);
    expectClose(runOp('BlackmanWindow', [Tensor.from('int32', [], [4])], {}, { opset: 17 })[0].toArray(), [0, 0.42 - 0.08, 1, 0.42 - 0.08], 1e-6);
    // symmetric size 3 divides by 2: cos(πk) = [1, −1, 1]
    expectClose(runOp('HannWindow', [Tensor.from('int32', [], [3])], { periodic: A.int(0) }, { opset: 17 })[0].toArray(), [0, 1, 0]);
  });
});

describe('MelWeightMatrix', () => {
  it('builds one triangle per mel bin over the FFT bins', () => {
    // 2 mel bins, dft 8 (5 spectrogram bins), 8 kHz, 0–4 kHz. Mel points 0, m/4, 2m/4, 3m/4 of m = mel(4000)
    // (the reference divides the mel range by num_mel_bins + 2 = 4), mapped to bins ⌊9·hz/8000⌋.
    const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
    const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
    const bins = [0, 1, 2, 3].map((i) => Math.floor((9 * hz((i * mel(4000)) / 4)) / 8000));
    const y = runOp('MelWeightMatrix', [scalar(2), scalar(8), scalar(8000), f32([], [0]), f32([], [4000])], {}, { opset: 17 })[0];
    expect(y.shape).toEqual([5, 2]);
    const expected = new Array(10).fill(0);
    for (let i = 0; i < 2; i++) {
      const [lo, c, hi] = [bins[i], bins[i + 1], bins[i + 2]];
      if (c === lo) expected[c * 2 + i] = 1;
      for (let j = lo; j <= c && c > lo; j++) expected[j * 2 + i] = (j - lo) / (c - lo);
      for (let j = c; j < hi; j++) expected[j * 2 + i] = (hi - j) / (hi - c);
    }
    expectClose(y.toArray(), expected);
    expect(y.toArray().some((v) => v > 0)).toBe(true);
  });
});
