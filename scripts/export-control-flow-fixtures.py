"""Exports the control-flow fixtures of packages/qint/test/__fixtures__/control-flow/ (run with /usr/bin/python3: torch 1.13,
onnx 1.12). Each model is torch.jit.script-ed (so `if` and `for` become ONNX If and Loop), exported at opset 13, and saved
with random inputs as ONNX test data (test_data_set_*/input_N.pb). The expected outputs are recorded separately from
onnxruntime-node by scripts/record-ort-outputs.mjs."""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

OUT = sys.argv[1] if len(sys.argv) > 1 else 'packages/qint/test/__fixtures__/control-flow'
torch.manual_seed(0)
rng = np.random.default_rng(0)


class ScriptedIf(nn.Module):
    """A data-dependent branch: each side has its own Linear (weights are outer-scope initializers of the branches)."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(16, 32)
        self.b = nn.Linear(16, 32)
        self.head = nn.Linear(32, 8)

    def forward(self, x):
        if bool(x.sum() > 0):
            h = torch.relu(self.a(x))
        else:
            h = torch.tanh(self.b(x))
        return self.head(h)


class ScriptedLoop(nn.Module):
    """A hand-written recurrent cell over the time axis: Loop with loop-carried state, a list (sequence) of steps."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(8, 24)
        self.rec = nn.Linear(24, 24, bias=False)
        self.out = nn.Linear(24, 4)

    def forward(self, x):
        h = torch.zeros(x.size(1), 24)
        steps = []
        for t in range(x.size(0)):
            h = torch.tanh(self.inp(x[t]) + self.rec(h))
            steps.append(h)
        return self.out(torch.stack(steps)), h


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 5, 1)

    def forward(self, img):
        f = self.c2(torch.relu(self.c1(img)))  # [1, 5, H, W]: 4 box values + 1 score logit per cell
        return f.flatten(2).squeeze(0).t()  # [H*W, 5]


class TinyDetector(nn.Module):
    """Detector-like post-processing: a Loop over candidate boxes with an If per box (score threshold), the kept boxes
    concatenated into a dynamically sized output — the shape of torchvision's scripted box filtering."""

    def __init__(self):
        super().__init__()
        self.backbone = Backbone()

    def forward(self, img, threshold):
        det = self.backbone(img)
        scores = torch.sigmoid(det[:, 4])
        kept = torch.zeros(0, 5)
        count = torch.zeros(1, dtype=torch.long)
        for i in range(det.size(0)):
            if bool(scores[i] > threshold):
                row = torch.cat([det[i, :4], scores[i:i + 1]], 0).unsqueeze(0)
                kept = torch.cat([kept, row], 0)
                count = count + 1
        return kept, count


def save(name, module, inputs_list, input_names, output_names, dynamic_axes=None):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    scripted = torch.jit.script(module.eval())
    path = os.path.join(d, 'model.onnx')
    torch.onnx.export(scripted, inputs_list[0], path, opset_version=13, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes or {})
    model = onnx.load(path)
    # torch 1.13 records the first iteration's shapes on Loop-body values ({0, 5} for a growing list): onnxruntime then
    # refuses the second iteration. Drop shapes inside subgraphs (element types stay; a Loop body's iteration number
    # and condition keep their scalar shapes, which onnxruntime requires).
    def strip(g):
        del g.value_info[:]
        for v in list(g.input)[2:] + list(g.output)[1:]:
            if v.type.HasField('tensor_type'):
                v.type.tensor_type.ClearField('shape')
        for n in g.node:
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    strip(a.g)
    for n in model.graph.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                strip(a.g)
    onnx.save(model, path)
    onnx.checker.check_model(model)
    for k, inputs in enumerate(inputs_list):
        sd = os.path.join(d, f'test_data_set_{k}')
        os.makedirs(sd, exist_ok=True)
        for i, (n, t) in enumerate(zip(input_names, inputs)):
            with open(os.path.join(sd, f'input_{i}.pb'), 'wb') as f:
                f.write(numpy_helper.from_array(t.numpy(), n).SerializeToString())
    ops = sorted({n.op_type for n in model.graph.node})
    print(name, os.path.getsize(path), 'bytes', ops)


with torch.no_grad():
    x_pos = torch.from_numpy(rng.standard_normal((3, 16)).astype(np.float32) + 0.5)
    x_neg = torch.from_numpy(rng.standard_normal((3, 16)).astype(np.float32) - 0.5)
    save('scripted-if', ScriptedIf(), [(x_pos,), (x_neg,)], ['x'], ['y'], {'x': {0: 'batch'}})
    seq = [(torch.from_numpy(rng.standard_normal((t, 2, 8)).astype(np.float32)),) for t in (5, 9)]
    save('scripted-loop', ScriptedLoop(), seq, ['x'], ['y', 'h'], {'x': {0: 'time'}})
    imgs = [(torch.from_numpy(rng.standard_normal((1, 3, 6, 6)).astype(np.float32)), torch.tensor(th)) for th in (0.55, 0.45)]
    save('tiny-detector', TinyDetector(), imgs, ['img', 'threshold'], ['boxes', 'count'])
