// GPTQ rounding has no recurrent form: asked for it, a GRU stays float with that reason (never rounded another way
// than asked) — here the model's only layer, so nothing is quantized, a typed error saying why; a per-node override
// to nearest quantizes it.
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QuantizeError, quantizeDynamic } from '../src';

const DIR = new URL('./__fixtures__/recurrent/', import.meta.url).pathname;
const anchor = JSON.parse(readFileSync(`${DIR}recurrent-anchor.json`, 'utf8')) as { cases: { name: string; x_shape: number[]; x: number[] }[] };

describe('GPTQ rounding and recurrent layers', () => {
  it('keeps a GRU float with the reason; overriding its rounding to nearest quantizes it', () => {
    const c = anchor.cases.find((k) => k.name === 'gru')!;
    const model = loadModel(`${DIR}gru.onnx`);
    const calibration = [{ [model.graph.inputs[0].name]: Tensor.from('float32', c.x_shape, c.x) }];
    const label = model.graph.nodes.find((n) => n.opType === 'GRU')!.name;
    expect(() => quantizeDynamic(model, { rounding: 'gptq', calibration })).toThrow(QuantizeError);
    expect(() => quantizeDynamic(model, { rounding: 'gptq', calibration })).toThrow(`GRU "${label}": GPTQ rounding has no GRU form`);
    const mixed = quantizeDynamic(model, { rounding: 'gptq', calibration, overrides: { [label]: { rounding: 'nearest' } } });
    expect(mixed.report.quantized.find((q) => q.node === label)?.rounding).toBe('nearest');
  });
});
