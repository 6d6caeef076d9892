import type { QintInfo, QintTensorInfo } from '../qint-types';
import type { ValidHeader } from './read-header';
import { defineOwn } from './shared';

/** Summarizes a validated header (after `checkModel`, which sets each tensor's role). */
export function headerInfo(h: ValidHeader): QintInfo {
  const m = h.modelJson;
  const g = h.graphJson;
  const opTypes: Record<string, number> = {};
  const nodes = g.nodes as { opType: string }[];
  for (const n of nodes) defineOwn(opTypes, n.opType, (Object.hasOwn(opTypes, n.opType) ? opTypes[n.opType] : 0) + 1);
  const tensors: QintTensorInfo[] = h.tensors.map((t) => ({
    index: t.index,
    name: t.name,
    role: t.role,
    dtype: t.dtype,
    shape: t.shape,
    byteOffset: h.preamble.dataOffset + t.offset,
    byteLength: t.length,
    checksum: t.checksum,
    ...(t.quant
      ? {
          quant: {
            granularity: t.quant.granularity,
            dtype: t.quant.dtype,
            ...(t.quant.granularity === 'per-tensor' ? {} : { axis: t.quant.axis }),
            ...(t.quant.granularity === 'blocked' ? { blockSize: t.quant.blockSize } : {}),
            scaleCount: t.quant.count,
          },
        }
      : {}),
  }));
  return {
    version: { major: h.preamble.major, minor: h.preamble.minor },
    producer: h.producer,
    fileByteLength: h.preamble.fileLength,
    headerByteLength: h.preamble.headerLength,
    dataOffset: h.preamble.dataOffset,
    dataByteLength: h.preamble.dataLength,
    model: {
      irVersion: m.irVersion as number,
      opsetImports: { ...(m.opsetImports as Record<string, number>) },
      producerName: m.producerName as string,
      producerVersion: m.producerVersion as string,
      graphName: g.name as string,
      nodeCount: nodes.length,
      opTypes,
      inputs: (g.inputs as { name: string }[]).map((v) => v.name),
      outputs: (g.outputs as { name: string }[]).map((v) => v.name),
    },
    tensors,
    metadata: h.metadata,
    extensions: h.extensions,
  };
}
