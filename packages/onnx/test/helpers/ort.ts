// onnxruntime-node as the dev-only oracle: converts qint Tensors to ORT tensors and back.
import * as ort from 'onnxruntime-node';
import { Tensor, type DType } from '@qint/tensor';

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  float32: 'float32',
  float16: 'float16',
  int64: 'int64',
  int32: 'int32',
  int16: 'int16',
  uint16: 'uint16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

export function ortSupports(t: Tensor): boolean {
  return ORT_TYPES[t.dtype] !== undefined;
}

export function toOrt(t: Tensor): ort.Tensor {
  const type = ORT_TYPES[t.dtype];
  if (type === undefined) throw new Error(`no ORT JS tensor type for ${t.dtype}`);
  return new ort.Tensor(type, t.data as never, [...t.shape]);
}

export function fromOrt(t: ort.Tensor): Tensor {
  const dtype = (Object.keys(ORT_TYPES) as DType[]).find((k) => ORT_TYPES[k] === t.type);
  if (dtype === undefined) throw new Error(`unexpected ORT output type ${t.type}`);
  let data = t.data as ArrayLike<unknown>;
  if (dtype === 'bool') data = Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
  return Tensor.from(dtype, [...t.dims], data as never);
}

/** Runs a model in ORT (graph optimizations off, so both sides run the same kernels) and returns outputs in order. */
export async function runOrt(model: Uint8Array | string, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(model as never, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((name, i) => {
      feeds[name] = toOrt(inputs[i]);
    });
    const out = await session.run(feeds);
    return session.outputNames.map((n) => fromOrt(out[n]));
  } finally {
    await session.release();
  }
}
