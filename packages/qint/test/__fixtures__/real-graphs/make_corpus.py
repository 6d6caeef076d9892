#!/usr/bin/python3
"""Builds the real-graphs corpus: ONNX files as real exporters write them (old opsets, weights in Constant nodes and
constant chains, nodes out of order, empty or partial type information, a PyTorch TransformerDecoder export) plus one
random input per model (.npy). Run with Debian's python3 (onnx 1.12, torch 1.13, numpy):

    /usr/bin/python3 packages/qint/test/__fixtures__/real-graphs/make_corpus.py
    node packages/qint/test/__fixtures__/real-graphs/record-ort.mjs   # onnxruntime-node's float outputs

The tests use only the committed files; this script documents how they were made."""
import os
import numpy as np
import onnx
from onnx import TensorProto as TP, helper as h, numpy_helper as nh

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(15)


def w(*shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def init(name, arr):
    return nh.from_array(np.asarray(arr), name)


def i64(name, values):
    return nh.from_array(np.asarray(values, dtype=np.int64), name)


def vi(name, shape, elem=TP.FLOAT):
    return h.make_tensor_value_info(name, elem, shape)


def save(name, nodes, inputs, outputs, inits, opset, x, value_info=(), check=True, ir=None):
    ir = ir or (3 if opset < 8 else 4 if opset < 9 else 5 if opset < 11 else 6 if opset < 12 else 7)
    if ir < 4:  # before IR 4 every initializer had to be listed as a graph input too, as old exporters did
        inputs = list(inputs) + [h.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in inits]
    graph = h.make_graph(nodes, name, inputs, outputs, inits, value_info=list(value_info))
    model = h.make_model(graph, opset_imports=[h.make_opsetid('', opset)], producer_name='qint-real-graphs')
    model.ir_version = ir
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, f'{name}.onnx'))
    feeds = x if isinstance(x, dict) else {'x': x}
    for k, v in feeds.items():
        np.save(os.path.join(HERE, f'{name}.{k}.npy'), v)


# --- old opsets -------------------------------------------------------------------------------------------------
# opset 7: Conv, BatchNormalization-7 (spatial), Upsample-7 (scales attribute), Dropout-7, Gemm-7, Softmax-1.
save('opset7-upsample-bn', [
    h.make_node('Conv', ['x', 'cw', 'cb'], ['c'], name='conv', pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
    h.make_node('BatchNormalization', ['c', 'bs', 'bb', 'bm', 'bv'], ['bn'], name='bn', spatial=1, epsilon=1e-5),
    h.make_node('Relu', ['bn'], ['r'], name='relu'),
    h.make_node('Upsample', ['r'], ['up'], name='up', scales=[1.0, 1.0, 2.0, 2.0], mode='nearest'),
    h.make_node('Dropout', ['up'], ['d'], name='drop', ratio=0.3),
    h.make_node('Flatten', ['d'], ['f'], name='flat', axis=1),
    h.make_node('Gemm', ['f', 'gw', 'gb'], ['g'], name='fc', transB=1),
    h.make_node('Softmax', ['g'], ['y'], name='softmax', axis=1),
], [vi('x', [1, 2, 4, 4])], [vi('y', [1, 10])], [
    init('cw', w(3, 2, 3, 3)), init('cb', w(3)), init('bs', 1 + w(3, scale=0.1)), init('bb', w(3, scale=0.1)),
    init('bm', w(3, scale=0.1)), init('bv', (1 + np.abs(w(3, scale=0.2))).astype(np.float32)),
    init('gw', w(10, 192, scale=0.1)), init('gb', w(10)),
], 7, w(1, 2, 4, 4, scale=1.0))

# opset 9: Slice-1, Clip-6, Unsqueeze-1, Pad-2, Softmax-1 on rank 3 (flattening), ReduceMean-1, Squeeze-1, TopK-1, Split-2.
save('opset9-slice-pad-clip', [
    h.make_node('MatMul', ['x', 'mw'], ['m'], name='matmul'),
    h.make_node('Slice', ['m'], ['s'], name='p2o.Slice.0', starts=[0, 2], ends=[2, 20], axes=[0, 1]),
    h.make_node('Clip', ['s'], ['c'], name='clip', min=-0.5, max=0.8),
    h.make_node('Unsqueeze', ['c'], ['u'], name='unsq', axes=[1]),
    h.make_node('Pad', ['u'], ['p'], name='pad', pads=[0, 1, 1, 0, 1, 1], value=0.25, mode='constant'),
    h.make_node('Softmax', ['p'], ['sm'], name='softmax', axis=1),
    h.make_node('ReduceMean', ['sm'], ['rm'], name='mean', axes=[2], keepdims=1),
    h.make_node('Squeeze', ['rm'], ['y'], name='sq', axes=[2]),
    h.make_node('TopK', ['c'], ['tv', 'ti'], name='topk', k=3, axis=-1),
    h.make_node('Split', ['c'], ['s0', 's1'], name='split', axis=1, split=[8, 10]),
    h.make_node('MatMul', ['s1', 'mw2'], ['z'], name='matmul2'),
], [vi('x', [2, 16])], [vi('y', [2, 3]), vi('tv', [2, 3]), vi('ti', [2, 3], TP.INT64), vi('s0', [2, 8]), vi('z', [2, 4])],
    [init('mw', w(16, 24)), init('mw2', w(10, 4))], 9, w(2, 16, scale=1.0))

# opset 9: Upsample-9 (scales input), nearest and linear.
save('opset9-upsample', [
    h.make_node('Conv', ['x', 'cw'], ['c'], name='conv', pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
    h.make_node('Upsample', ['c', 'scales'], ['yn'], name='up_nearest', mode='nearest'),
    h.make_node('Upsample', ['c', 'scales'], ['yl'], name='up_linear', mode='linear'),
], [vi('x', [1, 3, 4, 4])], [vi('yn', [1, 2, 8, 8]), vi('yl', [1, 2, 8, 8])],
    [init('cw', w(2, 3, 3, 3)), init('scales', np.array([1, 1, 2, 2], np.float32))], 9, w(1, 3, 4, 4, scale=1.0))

# opset 10: Resize-10 (asymmetric), Slice-10 with steps, TopK-10 (k input), Dropout-10.
save('opset10-resize-slice', [
    h.make_node('Conv', ['x', 'cw'], ['c'], name='conv', kernel_shape=[1, 1]),
    h.make_node('Resize', ['c', 'scales'], ['r'], name='resize', mode='nearest'),
    h.make_node('Resize', ['c', 'scales'], ['rl'], name='resize_linear', mode='linear'),
    h.make_node('Slice', ['r', 'st', 'en', 'ax', 'sp'], ['s'], name='slice'),
    h.make_node('Dropout', ['s'], ['d'], name='drop', ratio=0.2),
    h.make_node('Flatten', ['d'], ['f'], name='flat'),
    h.make_node('MatMul', ['f', 'mw'], ['y'], name='matmul'),
    h.make_node('TopK', ['y', 'k'], ['tv', 'ti'], name='topk'),
], [vi('x', [1, 2, 3, 3])], [vi('y', [1, 5]), vi('tv', [1, 2]), vi('ti', [1, 2], TP.INT64), vi('rl', [1, 4, 6, 6])], [
    init('cw', w(4, 2, 1, 1)), init('scales', np.array([1, 1, 2, 2], np.float32)), i64('st', [0, 5]), i64('en', [2, 0]),
    i64('ax', [1, 2]), i64('sp', [1, -2]), init('mw', w(2 * 3 * 6, 5)), i64('k', [2]),
], 10, w(1, 2, 3, 3, scale=1.0))

# opset 11: Clip-11, Pad-11, Split-11, Squeeze-11, ReduceSum-11 (axes attribute), Softmax-11 on rank 3, Gemm.
save('opset11-clip-pad-split', [
    h.make_node('Gemm', ['x', 'gw', 'gb'], ['g'], name='fc'),
    h.make_node('Clip', ['g', 'lo', 'hi'], ['c'], name='clip'),
    h.make_node('Unsqueeze', ['c'], ['u'], name='unsq', axes=[-1]),
    h.make_node('Pad', ['u', 'pads', 'pv'], ['p'], name='pad', mode='constant'),
    h.make_node('Split', ['p'], ['a', 'b'], name='split', axis=1, split=[5, 7]),
    h.make_node('Softmax', ['a'], ['sa'], name='softmax', axis=1),
    h.make_node('ReduceSum', ['b'], ['rs'], name='sum', axes=[1], keepdims=1),
    h.make_node('Squeeze', ['rs'], ['y'], name='sq', axes=[1]),
], [vi('x', [3, 8])], [vi('sa', [3, 5, 3]), vi('y', [3, 3])], [
    init('gw', w(8, 10)), init('gb', w(10)), init('lo', np.array(-0.6, np.float32)), init('hi', np.array(0.9, np.float32)),
    i64('pads', [0, 1, 1, 0, 1, 1]), init('pv', np.array(-0.1, np.float32)),
], 11, w(3, 8, scale=1.0))

# opset 12: Dropout-12 (ratio input), ArgMax-12, Softmax-11 on rank 2, ReduceMax-12.
save('opset12-dropout-argmax', [
    h.make_node('MatMul', ['x', 'mw'], ['m'], name='matmul'),
    h.make_node('Dropout', ['m', 'ratio'], ['d'], name='drop'),
    h.make_node('Softmax', ['d'], ['y'], name='softmax', axis=1),
    h.make_node('ArgMax', ['d'], ['am'], name='argmax', axis=1, keepdims=0, select_last_index=0),
    h.make_node('ReduceMax', ['d'], ['rmax'], name='max', axes=[1], keepdims=0),
], [vi('x', [4, 12])], [vi('y', [4, 6]), vi('am', [4], TP.INT64), vi('rmax', [4])],
    [init('mw', w(12, 6)), init('ratio', np.array(0.4, np.float32))], 12, w(4, 12, scale=1.0))

# opset 13: Split-13 (split input), Squeeze-13 / Unsqueeze-13 (axes input), ReduceSum-13 (axes input), ReduceMean-13
# (axes attribute, an input from 18), Softmax-13 on a middle axis.
save('opset13-split-squeeze', [
    h.make_node('MatMul', ['x', 'mw'], ['m'], name='matmul'),
    h.make_node('Unsqueeze', ['m', 'ax0'], ['u'], name='unsq'),
    h.make_node('Split', ['u', 'sizes'], ['a', 'b'], name='split', axis=2),
    h.make_node('Softmax', ['a'], ['sa'], name='softmax', axis=1),
    h.make_node('ReduceSum', ['b', 'ax2'], ['rs'], name='sum', keepdims=1),
    h.make_node('ReduceMean', ['sa'], ['rm'], name='mean', axes=[0], keepdims=0),
    h.make_node('Squeeze', ['rs', 'ax0'], ['y'], name='sq'),
], [vi('x', [3, 10])], [vi('rm', [3, 4]), vi('y', [3, 1])],
    [init('mw', w(10, 9)), i64('ax0', [0]), i64('sizes', [4, 5]), i64('ax2', [2])], 13, w(3, 10, scale=1.0))

# --- weights in Constant nodes and constant chains -------------------------------------------------------------
def const(name, arr):
    return h.make_node('Constant', [], [name], name=f'const_{name}', value=nh.from_array(np.asarray(arr), name))

packed = w(24, 8)  # a packed Q/K/V projection, as nn.MultiheadAttention's in_proj_weight
save('constant-weights', [
    const('cw', w(4, 1, 3, 3)), const('cb', w(4)), const('fw', w(8, 8)), const('gw', w(6, 8)), const('gb', w(6)),
    h.make_node('Conv', ['x', 'cw', 'cb'], ['c'], name='conv', pads=[1, 1, 1, 1]),
    h.make_node('Relu', ['c'], ['cr'], name='relu'),
    h.make_node('GlobalAveragePool', ['cr'], ['gap'], name='gap'),
    h.make_node('Flatten', ['gap'], ['f'], name='flat'),
    h.make_node('Slice', ['fw', 'st0', 'en0', 'ax0'], ['fw4'], name='slice_fw'),
    h.make_node('MatMul', ['f', 'fw4'], ['h0'], name='fc0'),
    h.make_node('Identity', ['shared'], ['shared_a'], name='share_a'),
    h.make_node('Identity', ['shared'], ['shared_b'], name='share_b'),
    h.make_node('MatMul', ['h0', 'shared_a'], ['h1'], name='fc1'),
    h.make_node('MatMul', ['h1', 'shared_b'], ['h2'], name='fc2'),
    h.make_node('Split', ['packed', 'three'], ['wq', 'wk', 'wv'], name='split_qkv', axis=0),
    h.make_node('Transpose', ['wq'], ['wqT'], name='tq', perm=[1, 0]),
    h.make_node('MatMul', ['h2', 'wqT'], ['q'], name='q_proj'),
    h.make_node('Slice', ['packed', 'st1', 'en1', 'ax0'], ['wk2'], name='slice_k'),
    h.make_node('Gemm', ['h2', 'wk2'], ['k'], name='k_proj', transB=1),
    h.make_node('Transpose', ['wv'], ['wvT'], name='tv', perm=[1, 0]),
    h.make_node('Cast', ['wvT'], ['wvT32'], name='cast_v', to=TP.FLOAT),
    h.make_node('Reshape', ['wvT32', 'shape88'], ['wvR'], name='reshape_v'),
    h.make_node('MatMul', ['h2', 'wvR'], ['v'], name='v_proj'),
    h.make_node('Add', ['q', 'k'], ['qk'], name='add_qk'),
    h.make_node('Add', ['qk', 'v'], ['qkv'], name='add_v'),
    h.make_node('Gemm', ['qkv', 'gw', 'gb'], ['y'], name='head', transB=1),
], [vi('x', [2, 1, 5, 5])], [vi('y', [2, 6])], [
    init('shared', w(8, 8)), init('packed', packed), i64('st0', [0]), i64('en0', [4]), i64('ax0', [0]), i64('three', [8, 8, 8]),
    i64('st1', [8]), i64('en1', [16]), i64('shape88', [8, 8]),
], 13, w(2, 1, 5, 5, scale=1.0))

# --- nodes out of topological order (a valid MLP, nodes shuffled) ----------------------------------------------
nodes = [
    h.make_node('MatMul', ['x', 'w0'], ['a'], name='fc0'),
    h.make_node('Add', ['a', 'b0'], ['ab'], name='bias0'),
    h.make_node('Relu', ['ab'], ['r'], name='relu0'),
    h.make_node('MatMul', ['r', 'w1'], ['m'], name='fc1'),
    h.make_node('Tanh', ['ab'], ['t'], name='tanh'),
    h.make_node('Add', ['m', 't2'], ['y'], name='sum'),
    h.make_node('Slice', ['t', 'st', 'en', 'ax'], ['t2'], name='cut'),
]
order = [5, 3, 6, 2, 4, 0, 1]
save('shuffled-order', [nodes[i] for i in order], [vi('x', [3, 6])], [vi('y', [3, 5])],
     [init('w0', w(6, 7)), init('b0', w(7)), init('w1', w(7, 5)), i64('st', [0]), i64('en', [5]), i64('ax', [1])],
     13, w(3, 6, scale=1.0), check=False)

# --- empty and partial type information -------------------------------------------------------------------------
empty_out = onnx.ValueInfoProto()
empty_out.name = 'y'
empty_out.type.CopyFrom(onnx.TypeProto())  # `type {}`
no_shape = onnx.ValueInfoProto()
no_shape.name = 'z'
no_shape.type.tensor_type.elem_type = TP.FLOAT  # elem_type only, no shape
nameless = onnx.ValueInfoProto()
nameless.name = 'r'  # no type at all
save('empty-types', [
    h.make_node('MatMul', ['x', 'w0'], ['h'], name='fc0'),
    h.make_node('Relu', ['h'], ['r'], name='relu'),
    h.make_node('MatMul', ['r', 'w1'], ['y'], name='fc1'),
    h.make_node('Sigmoid', ['y'], ['z'], name='sig'),
], [vi('x', ['n', 6])], [empty_out, no_shape], [init('w0', w(6, 9)), init('w1', w(9, 4))], 13, w(2, 6, scale=1.0),
    value_info=[nameless], check=False)

# --- a PyTorch TransformerDecoder (torch 1.13 export, random weights, small dims) ---------------------------------
import torch

torch.manual_seed(15)


class Decoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerDecoderLayer(d_model=32, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.decoder = torch.nn.TransformerDecoder(layer, num_layers=2)
        self.head = torch.nn.Linear(32, 16)

    def forward(self, tgt, memory):
        return self.head(self.decoder(tgt, memory))


dec = Decoder().eval()
tgt = torch.randn(1, 5, 32)
memory = torch.randn(1, 7, 32)
path = os.path.join(HERE, 'torch-transformer-decoder.onnx')
torch.onnx.export(dec, (tgt, memory), path, input_names=['tgt', 'memory'], output_names=['y'], opset_version=13,
                  do_constant_folding=False)
np.save(os.path.join(HERE, 'torch-transformer-decoder.tgt.npy'), tgt.numpy())
np.save(os.path.join(HERE, 'torch-transformer-decoder.memory.npy'), memory.numpy())
print('wrote the corpus to', HERE)
