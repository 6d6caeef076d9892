// Calibration data holding NaN or ±Infinity is refused with one typed error, naming the sample and the input, by every
// command and function that takes it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantizeDynamic } from '@qint/dynamic';
import { measureSensitivity } from '@qint/mixed-precision';
import { Tensor } from '@qint/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrationFeeds, loadModel, NonFiniteCalibrationError, quantize, writeNpy } from '../src/index';
import { cli } from './cli-helpers';
import { loadMnistTest } from './mnist';

const mnist = join(__dirname, '__fixtures__', 'mnist-8', 'model.onnx');
const scratch = mkdtempSync(join(tmpdir(), 'qint-nonfinite-calibration-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** 16 real digits as float32 [16, 1, 28, 28], with `value` in one pixel of sample `at`. */
function digits(value: number, at: number): Tensor {
  const d = Float32Array.from(loadMnistTest().images.slice([0], [16]).data as Uint8Array);
  d[at * 784 + 300] = value;
  return Tensor.from('float32', [16, 1, 28, 28], d);
}

describe('non-finite calibration data', () => {
  const cases = [[NaN, 5], [Infinity, 9], [-Infinity, 0]] as const;

  it.each(cases)('the CLI refuses %s in sample %i in quantize --budget, --mode static, --rounding gptq and sensitivity', async (value, at) => {
    const npy = join(scratch, `bad-${at}.npy`);
    writeFileSync(npy, writeNpy(digits(value, at)));
    const out = join(scratch, 'x.qint');
    for (const args of [
      ['quantize', mnist, '-o', out, '--budget', '0.5x', '--calibration', npy, '--samples', '16'],
      ['quantize', mnist, '-o', out, '--mode', 'static', '--calibration', npy, '--samples', '16'],
      ['quantize', mnist, '-o', out, '--weight-bits', '4', '--rounding', 'gptq', '--calibration', npy, '--samples', '16'],
      ['sensitivity', mnist, '--calibration', npy, '--samples', '16', '--bits', '4,8'],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(3); // bad input (README, exit codes)
      expect(r.err.trim(), args.join(' ')).toBe(
        `qint: calibration: calibration sample ${at} of input "Input3" holds ${value}; NaN and ±Infinity give meaningless ranges and measurements — remove or repair the sample`,
      );
    }
  });

  it('the facade, measureSensitivity and quantizeDynamic (gptq) throw NonFiniteCalibrationError naming the sample', async () => {
    const model = await loadModel(mnist);
    const bad = digits(NaN, 5);
    for (const options of [{ budget: '0.5x' }, { mode: 'static' as const }, { weightBits: 4 as const, rounding: 'gptq' as const }]) {
      const p = quantize(model, { ...options, calibration: bad, calibrationSamples: 16 });
      await expect(p, JSON.stringify(options)).rejects.toBeInstanceOf(NonFiniteCalibrationError);
      await expect(quantize(model, { ...options, calibration: bad, calibrationSamples: 16 })).rejects.toMatchObject({ sample: 5, input: 'Input3' });
    }
    // Only the samples used are checked: the first 5 are fine.
    expect(() => calibrationFeeds(model, bad, 5)).not.toThrow();
    expect(() => calibrationFeeds(model, bad, 6)).toThrow(NonFiniteCalibrationError);
    // Feeds given directly (mnist-8 takes one digit per run): sample 9 is the tenth feed.
    const x = digits(Infinity, 9);
    const feeds = Array.from({ length: 16 }, (_, s) => ({ Input3: x.slice([s], [s + 1]) }));
    expect(() => measureSensitivity(model, { calibration: feeds })).toThrow(
      'measureSensitivity: calibration sample 9 of input "Input3" holds Infinity',
    );
    expect(() => quantizeDynamic(model, { bits: 4, rounding: 'gptq', calibration: feeds })).toThrow(NonFiniteCalibrationError);
    expect(() => quantizeDynamic(model, { bits: 4, rounding: 'gptq', calibration: feeds })).toThrow(/quantizeDynamic \(gptq\): calibration sample 9 /);
  });
});
