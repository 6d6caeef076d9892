import { describe, expect, it } from 'vitest';
import { len, int, text, varint } from '../../test/helpers/wire';
import { decodeModel } from '../decode-model';
import { decodeTensor } from '../decode-tensor';
import { OnnxError } from '../onnx-error';

// A minimal valid model: ir_version 8, opset 17, a graph with one Identity node x -> y.
const opset = len(8, [...text(1, ''), ...int(2, 17)]);
const graph = len(7, [...len(1, [...text(1, 'x'), ...text(2, 'y'), ...text(4, 'Identity')]), ...len(11, text(1, 'x')), ...len(12, text(1, 'y'))]);
const fixed32 = (id: number, bytes: number[]): number[] => [...varint((id << 3) | 5), ...bytes];

function error(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error');
}

describe('wire types of known fields', () => {
  it('accepts the model written with the right wire types, with unknown fields of any valid wire type', () => {
    const unknown = [...int(99, 5), ...len(98, [1, 2, 3]), ...fixed32(97, [0, 0, 0, 0])];
    const m = decodeModel(new Uint8Array([...int(1, 8), ...text(2, 'me'), ...opset, ...graph, ...unknown]));
    expect(m.irVersion).toBe(8);
    expect(m.producerName).toBe('me');
    expect(m.graph.nodes[0].opType).toBe('Identity');
  });

  it('refuses ir_version sent length-delimited and producer_name sent as a varint', () => {
    const e1 = error(() => decodeModel(new Uint8Array([...len(1, [8]), ...opset, ...graph])));
    expect(e1).toBeInstanceOf(OnnxError);
    expect(e1.message).toBe('model is not a valid ONNX ModelProto: ModelProto.irVersion (field 1, int64) has wire type 2 (length-delimited); it must be 0 (varint) (byte 0)');
    const e2 = error(() => decodeModel(new Uint8Array([...int(1, 8), ...int(2, 7), ...opset, ...graph])));
    expect(e2.message).toMatch(/ModelProto.producerName \(field 2, string\) has wire type 0 \(varint\); it must be 2 \(length-delimited\) \(byte 2\)/);
  });

  it('names the path of a bad field deep in the graph', () => {
    // NodeProto.op_type (4) as a 32-bit field, inside graph.node[0].
    const bad = len(7, [...len(1, [...text(1, 'x'), ...text(2, 'y'), ...fixed32(4, [1, 2, 3, 4])]), ...len(11, text(1, 'x')), ...len(12, text(1, 'y'))]);
    expect(error(() => decodeModel(new Uint8Array([...int(1, 8), ...opset, ...bad]))).message).toMatch(
      /ModelProto.graph.node.opType \(field 4, string\) has wire type 5 \(32-bit\); it must be 2/,
    );
  });

  it('takes repeated numbers packed or not, and refuses them as 64-bit', () => {
    // TensorProto: dims (1) unpacked [2], float_data (4) packed; dims as fixed64 is refused.
    const t = decodeTensor(new Uint8Array([...int(1, 2), ...int(2, 1), ...len(4, [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40])]));
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2]);
    const packedDims = decodeTensor(new Uint8Array([...len(1, [2]), ...int(2, 1), ...len(4, [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40])]));
    expect(packedDims.shape).toEqual([2]);
    const e = error(() => decodeTensor(new Uint8Array([...varint((1 << 3) | 1), 2, 0, 0, 0, 0, 0, 0, 0, ...int(2, 1)])));
    expect(e.message).toMatch(/is not a valid ONNX TensorProto: TensorProto.dims \(field 1, int64\) has wire type 1 \(64-bit\); it must be 0 \(varint\)/);
  });

  it('refuses invalid wire types 6/7, stray end-group tags and lengths past the end', () => {
    expect(error(() => decodeModel(new Uint8Array([...int(1, 8), ...varint((50 << 3) | 6)]))).message).toMatch(/invalid wire type 6/);
    expect(error(() => decodeModel(new Uint8Array([...int(1, 8), ...varint((50 << 3) | 4)]))).message).toMatch(/unexpected end-group tag/);
    expect(error(() => decodeModel(new Uint8Array([...int(1, 8), ...varint((7 << 3) | 2), 100, 1]))).message).toMatch(/ModelProto.graph: length 100 runs past the end/);
  });
});
