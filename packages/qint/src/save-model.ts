import { encodeQint, writeQint, type QintMetadata } from '@qint/format';
import { toOnnxModel, type ToOnnxOptions } from '@qint/dynamic';
import { QINT_DOMAIN, type Model } from '@qint/graph';
import { encodeModel as encodeOnnx, encodeModelChunks as encodeOnnxChunks } from '@qint/onnx';
import { writeFileAtomic } from './write-file-atomic';

/** Options of {@link saveModel} and {@link serializeModel}. */
export interface SaveModelOptions {
  /** `'qint'` (default; or told by a `.qint` path) or `'onnx'` (told by an `.onnx` path). */
  format?: 'qint' | 'onnx';
  /** `.qint` metadata: the quantization recipe and plan, calibration summary, free key/values. */
  metadata?: QintMetadata;
  /**
   * For ONNX output of a quantized model: `'standard'` (default; onnxruntime's own dynamic pattern, DynamicQuantizeLinear
   * → MatMulInteger/ConvInteger → Cast → Mul) or `'matmulnbits'` (4/2-bit layers as com.microsoft MatMulNBits).
   */
  onnxFlavour?: ToOnnxOptions['flavour'];
  /**
   * For ONNX output of a dynamically quantized model: storage of the 8-bit weights of MatMulInteger / ConvInteger —
   * `'uint8'` (default; the same integers shifted by +128, which onnxruntime multiplies as u8 × u8 exactly on every
   * CPU) or `'int8'` (the full-range u8 × s8 form: onnxruntime's x86 kernels without AVX-512 VNNI / AVX-VNNI saturate
   * pairs of products to int16 and give wrong outputs there).
   */
  onnxWeightType?: 'uint8' | 'int8';
}

/**
 * Serializes a model to the bytes of a `.qint` (default) or ONNX file.
 *
 * @param model - the model
 * @param options - {@link SaveModelOptions}
 * @returns the file's bytes
 * @throws `FormatError` / `OnnxError` when the model cannot be written in that format
 * @example
 * ```ts
 * const bytes = await serializeModel(model, { format: 'onnx' });
 * ```
 */
export async function serializeModel(model: Model, options: SaveModelOptions = {}): Promise<Uint8Array> {
  const m = withoutInitializerInputs(model);
  if ((options.format ?? 'qint') === 'onnx') return encodeOnnx(onnxModel(m, options));
  return encodeQint(m, { metadata: options.metadata });
}

/**
 * Old exporters list every weight as a graph input too (ONNX IR < 4 required it). qint treats those as constants; the
 * files it writes list only the real inputs (and IR ≥ 4, where that is valid), so onnxruntime and other tools do not
 * warn about each of them or offer them as inputs to feed.
 */
function withoutInitializerInputs(model: Model): Model {
  const { graph } = model;
  if (!graph.inputs.some((i) => graph.initializers.has(i.name))) return model;
  return { ...model, irVersion: Math.max(model.irVersion, 4), graph: { ...graph, inputs: graph.inputs.filter((i) => !graph.initializers.has(i.name)) } };
}

/** qint's own ops (ai.qint) become standard ONNX / onnxruntime contrib ops that onnxruntime runs. */
function onnxModel(model: Model, options: SaveModelOptions): Model {
  const hasQintOps = model.graph.nodes.some((n) => n.domain === QINT_DOMAIN);
  return hasQintOps ? toOnnxModel(model, { flavour: options.onnxFlavour, matMulWeightType: options.onnxWeightType, convWeightType: options.onnxWeightType }) : model;
}

/**
 * Writes a model to a file (Node). The format follows `options.format`, else the extension (`.onnx` → ONNX, anything
 * else → `.qint`). The file is streamed (tensor data is written from the tensors, never copied into one buffer) to a
 * temporary file beside `path`, fsynced and renamed over it: a failure leaves the previous file intact and no partial
 * file behind.
 *
 * @param model - the model
 * @param path - the file to write
 * @param options - {@link SaveModelOptions}
 * @returns the number of bytes written
 * @throws {@link InputError} when the file cannot be written
 * @example
 * ```ts
 * await saveModel(quantized, 'mnist-int8.qint');
 * ```
 */
export async function saveModel(model: Model, path: string, options: SaveModelOptions = {}): Promise<number> {
  const format = options.format ?? (path.toLowerCase().endsWith('.onnx') ? 'onnx' : 'qint');
  const m = withoutInitializerInputs(model);
  if (format === 'onnx') {
    const { chunks } = encodeOnnxChunks(onnxModel(m, options));
    return writeFileAtomic(path, chunks);
  }
  return writeFileAtomic(path, (sink) => writeQint(m, sink, { metadata: options.metadata }));
}
