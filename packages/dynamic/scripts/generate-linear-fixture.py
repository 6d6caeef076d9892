#!/usr/bin/python3
"""Records PyTorch's dynamic quantization of one nn.Linear as a JSON fixture for test/pytorch-linear.test.ts.

Run with Debian's python3-torch (1.13): /usr/bin/python3 scripts/generate-linear-fixture.py
The qnnpack engine is used (the engine of ARM and of PyTorch Mobile; reduce_range off), so the activation range is the
full uint8 range, as in qint's kernels.
"""
import json
import os

import torch

torch.manual_seed(20261125)
torch.backends.quantized.engine = "qnnpack"

IN, OUT, ROWS = 48, 20, 6
layer = torch.nn.Linear(IN, OUT)
with torch.no_grad():
    # Give one row a larger range so scales are not all alike.
    layer.weight[3] *= 4.0
model = torch.nn.Sequential(layer).eval()
x = torch.randn(ROWS, IN) * 1.5 + 0.3

qmodel = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
qlinear = qmodel[0]
wq = qlinear.weight()
assert wq.qscheme() == torch.per_tensor_affine, wq.qscheme()

with torch.no_grad():
    y = qmodel(x)
    y_float = model(x)


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


fixture = {
    "about": "torch.ao.quantization.quantize_dynamic(nn.Linear(48, 20), dtype=qint8), engine qnnpack, torch "
    + torch.__version__,
    "in_features": IN,
    "out_features": OUT,
    "rows": ROWS,
    "weight": floats(layer.weight),
    "bias": floats(layer.bias),
    "x": floats(x),
    "weight_int8": [int(v) for v in wq.int_repr().reshape(-1).tolist()],
    "weight_scale": float(wq.q_scale()),
    "weight_zero_point": int(wq.q_zero_point()),
    "y": floats(y),
    "y_float": floats(y_float),
}
out = os.path.join(os.path.dirname(__file__), "..", "test", "__fixtures__", "pytorch-linear.json")
with open(out, "w") as f:
    json.dump(fixture, f)
print("wrote", os.path.normpath(out), "scale", fixture["weight_scale"], "zp", fixture["weight_zero_point"])
