import type { Model } from './internal/ir';
import type { EncodeQintOptions } from './qint-types';
import { loadChecksum } from './internal/checksum';
import { planChecked } from './internal/plan-checked';

/**
 * Serializes a model to `.qint` bytes in memory: one allocation of the file's size, each tensor copied once.
 * Use {@link writeQint} to stream to a file or a `WritableStream` without building the whole file in memory.
 *
 * @param model - the model (float, quantized or mixed; `graph.quantParams` are stored with their tensors)
 * @param options - {@link EncodeQintOptions}: `metadata`, `extensions`, `maxHeaderBytes`, `inlineQuantLimit`
 * @returns the file's bytes
 * @throws {@link FormatError} when the model cannot be written (e.g. a node input that nothing produces:
 *   `DANGLING_REFERENCE`; quant params that do not fit their tensor: `BAD_QUANT_PARAMS`; a header over the cap)
 * @example
 * ```ts
 * const bytes = await encodeQint(model, { metadata: { recipe: { weightBits: 4 }, user: { author: 'me' } } });
 * const again = await decodeQint(bytes);
 * ```
 */
export async function encodeQint(model: Model, options: EncodeQintOptions = {}): Promise<Uint8Array> {
  await loadChecksum();
  const plan = planChecked(model, options);
  const out = new Uint8Array(plan.totalLength);
  out.set(plan.head, 0);
  for (const t of plan.tensors) out.set(t.bytes, plan.dataOffset + t.offset);
  return out;
}
