#!/usr/bin/python3
"""Converts the float32 PyTorch exports of ../torch to half-precision storage, as onnxconverter-common's
float16 converter does (PyTorch 1.13 cannot trace a `.half()` model on CPU: its fp16 conv kernels are CUDA-only):

- cnn-fp16-io32: float16 initializers and activations, float32 graph inputs/outputs with Cast nodes at the
  edges (`keep_io_types=True`).
- transformer-fp16: everything float16, inputs and outputs included; Constant float tensors and Cast-to-float
  targets become float16 too.
- cnn-bf16: bfloat16 initializers (rounded to nearest even), each followed by a Cast to float32 where it is used.

Run with Debian's python3-onnx (onnx 1.12): /usr/bin/python3 make-half-models.py. The expected outputs are then
recorded from onnxruntime-node by record-half-outputs.mjs.
"""
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH = os.path.join(HERE, '..', 'torch')
F32, F16, BF16 = TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16


def to_fp16_tensor(t):
    a = numpy_helper.to_array(t)
    return numpy_helper.from_array(a.astype(np.float16), t.name) if a.dtype == np.float32 else t


def retype(value_infos, old, new):
    for vi in value_infos:
        if vi.type.tensor_type.elem_type == old:
            vi.type.tensor_type.elem_type = new


def convert_fp16(model, keep_io_types):
    g = model.graph
    for i, t in enumerate(g.initializer):
        g.initializer[i].CopyFrom(to_fp16_tensor(t))
    for node in g.node:
        for a in node.attribute:
            if node.op_type == 'Cast' and a.name == 'to' and a.i == F32:
                a.i = F16
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == F32:
                a.t.CopyFrom(to_fp16_tensor(a.t))
    retype(g.value_info, F32, F16)
    if not keep_io_types:
        retype(g.input, F32, F16)
        retype(g.output, F32, F16)
        return model
    casts_in, casts_out = [], []
    for vi in g.input:
        if vi.type.tensor_type.elem_type != F32:
            continue
        half = vi.name + '_fp16'
        for node in g.node:
            node.input[:] = [half if x == vi.name else x for x in node.input]
        casts_in.append(helper.make_node('Cast', [vi.name], [half], to=F16, name=vi.name + '_to_fp16'))
    for vi in g.output:
        if vi.type.tensor_type.elem_type != F32:
            continue
        half = vi.name + '_fp16'
        for node in g.node:
            node.output[:] = [half if x == vi.name else x for x in node.output]
        casts_out.append(helper.make_node('Cast', [half], [vi.name], to=F32, name=vi.name + '_to_fp32'))
    nodes = casts_in + list(g.node) + casts_out
    del g.node[:]
    g.node.extend(nodes)
    return model


def bf16_bits(a):
    bits = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def convert_bf16_weights(model):
    g = model.graph
    casts = []
    for i, t in enumerate(g.initializer):
        a = numpy_helper.to_array(t)
        if a.dtype != np.float32:
            continue
        name = t.name
        b = TensorProto(name=name + '_bf16', data_type=BF16, dims=list(a.shape), raw_data=bf16_bits(a).tobytes())
        g.initializer[i].CopyFrom(b)
        casts.append(helper.make_node('Cast', [name + '_bf16'], [name], to=F32, name=name + '_to_fp32'))
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    return model


def write(model, name):
    onnx.checker.check_model(model)
    os.makedirs(os.path.join(HERE, name), exist_ok=True)
    onnx.save(model, os.path.join(HERE, name, 'model.onnx'))


write(convert_fp16(onnx.load(os.path.join(TORCH, 'cnn-bn', 'model.onnx')), True), 'cnn-fp16-io32')
write(convert_fp16(onnx.load(os.path.join(TORCH, 'transformer', 'model.onnx')), False), 'transformer-fp16')
write(convert_bf16_weights(onnx.load(os.path.join(TORCH, 'cnn-bn', 'model.onnx'))), 'cnn-bf16')
