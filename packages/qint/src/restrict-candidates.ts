// Which mixed-precision candidates an output can hold. A plan is only useful if the file it is written to can store
// every layer's choice: onnxruntime has no 3-bit kernel, the standard ONNX dynamic pattern stores 8-bit weights only
// (MatMulInteger / ConvInteger; sub-byte weights would be widened to 8 bits, so the size the plan promised would be a
// lie), and com.microsoft MatMulNBits holds 4/2/8-bit MatMul weights in power-of-two blocks of at least 16.
import type { Model } from '@qint/graph';
import type { CandidateScheme, SensitivityTable } from '@qint/mixed-precision';
import { InputError } from './input-error';

/** What a quantized model is written as: `.qint` (every candidate), or ONNX in one of `saveModel`'s flavours. */
export type QuantizeTarget = 'qint' | 'onnx-standard' | 'onnx-matmulnbits';

/** The quantized layer ops and what each target holds for them. */
function holds(target: QuantizeTarget, opType: string, c: Pick<CandidateScheme, 'bits' | 'granularity' | 'blockSize'>): boolean {
  if ((c.granularity as string) === 'float') return true;
  if (target === 'qint') return true;
  const eight = c.bits === 8 && c.granularity !== 'per-block';
  if (target === 'onnx-standard' || opType === 'Conv') return eight;
  // onnx-matmulnbits, MatMul/Gemm layers.
  if (eight) return true;
  const bs = c.blockSize ?? 0;
  return (c.bits === 4 || c.bits === 2) && c.granularity === 'per-block' && bs >= 16 && (bs & (bs - 1)) === 0;
}

/** The candidate schemes worth measuring for a target, bit widths and ids (those some layer op could hold). */
export function schemesFor(schemes: readonly CandidateScheme[], target: QuantizeTarget, bits?: readonly number[], ids?: readonly string[]): CandidateScheme[] {
  return schemes.filter((s) => (holds(target, 'MatMul', s) || holds(target, 'Conv', s)) && (bits === undefined || bits.includes(s.bits)) && (ids === undefined || ids.includes(s.id)));
}

/**
 * Drops from each layer the candidates its op cannot have in `target` (float always stays).
 *
 * @param model - the float model the table was measured on (for each layer's op type)
 * @param table - the measured table
 * @param target - the output
 * @returns a table with only what the output can hold
 */
export function restrictTable(model: Model, table: SensitivityTable, target: QuantizeTarget): SensitivityTable {
  if (target === 'qint') return table;
  const opOf = new Map(model.graph.nodes.map((n) => [n.name, n.opType]));
  return {
    ...table,
    layers: table.layers.map((layer) => {
      const op = opOf.get(layer.name) ?? 'MatMul';
      const candidates = layer.candidates.filter((c) => holds(target, op, c));
      return { ...layer, candidates, ...(layer.pinned && !candidates.some((c) => c.id === layer.pinned) ? { pinned: undefined } : {}) };
    }),
  };
}

/**
 * Checks `target`, `bits` and `candidates` options.
 *
 * @throws {@link InputError} naming the option
 */
export function checkRestrictions(target: unknown, bits: unknown, ids: unknown): void {
  if (target !== undefined && target !== 'qint' && target !== 'onnx-standard' && target !== 'onnx-matmulnbits') {
    throw new InputError(`target must be "qint", "onnx-standard" or "onnx-matmulnbits", got ${JSON.stringify(target)}`);
  }
  if (bits !== undefined && (!Array.isArray(bits) || bits.length === 0 || bits.some((b) => ![2, 3, 4, 8].includes(b)))) {
    throw new InputError(`bits must be a non-empty list of 2, 3, 4 and 8, got ${JSON.stringify(bits)}`);
  }
  if (ids !== undefined && ids !== 'search' && ids !== 'default' && (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => typeof i !== 'string'))) {
    throw new InputError(`candidates must be "search", "default" or a list of candidate ids, got ${JSON.stringify(ids)}`);
  }
}
