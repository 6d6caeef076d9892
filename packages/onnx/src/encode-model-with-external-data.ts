import type { Model } from '@qint/graph';
import { modelToProto, serializeModel } from './encode-model';
import type { ExternalDataWriteOptions, ModelWithExternalData } from './external-data-write-options';
import { OnnxError } from './onnx-error';

/**
 * Serializes a model with its large initializers in a separate data file (ONNX external data), as models beyond
 * protobuf's 2 GiB limit must be, and as onnxruntime and `decodeModel` read them.
 *
 * @param model - the model
 * @param options - data file name, size threshold and alignment
 * @returns the model bytes and the data file bytes
 * @throws {@link OnnxError} when the location is not a plain relative file name or the model is malformed
 * @example
 * ```ts
 * const { model, data, location } = encodeModelWithExternalData(m);
 * writeFileSync('out/model.onnx', model);
 * writeFileSync(`out/${location}`, data);
 * ```
 */
export function encodeModelWithExternalData(model: Model, options: ExternalDataWriteOptions = {}): ModelWithExternalData {
  const location = options.location ?? 'model.onnx.data';
  const minBytes = options.minBytes ?? 1024;
  const align = options.align ?? 4096;
  if (location === '' || location.includes('..') || /^[\\/]|^[A-Za-z]:|\0/.test(location)) {
    throw new OnnxError(`external data location ${JSON.stringify(location)} must be a relative path inside the model's folder`);
  }
  if (!Number.isSafeInteger(align) || align < 1) throw new OnnxError(`align must be a positive integer, got ${align}`);
  const chunks: { offset: number; bytes: Uint8Array }[] = [];
  let end = 0;
  const message = modelToProto(model, (proto) => {
    const raw = proto.rawData;
    if (raw === undefined || raw.length < minBytes) return;
    const offset = Math.ceil(end / align) * align;
    chunks.push({ offset, bytes: raw });
    end = offset + raw.length;
    const entries = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ];
    delete proto.rawData;
    Object.assign(proto, { externalData: entries, dataLocation: 1 });
  });
  const data = new Uint8Array(end);
  for (const c of chunks) data.set(c.bytes, c.offset);
  return { model: serializeModel(message), data, location };
}
