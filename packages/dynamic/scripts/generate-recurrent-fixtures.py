#!/usr/bin/python3
"""Exports small random-weight recurrent models from PyTorch and records torch.ao.quantization.quantize_dynamic's
output error against float, for test/pytorch-recurrent.test.ts.

Run with Debian's python3-torch (1.13): nice -n 10 /usr/bin/python3 scripts/generate-recurrent-fixtures.py
Models: a bidirectional 2-layer LSTM, a GRU, an RNN (tanh), exported to ONNX (opset 14, seq-first). PyTorch's
quantize_dynamic has no nn.RNN: its RNN reference runs the same weights through a quantized nn.RNNCell step by step
(the module quantize_dynamic does support), which is the same recurrence.
Writes test/__fixtures__/recurrent/<name>.onnx and recurrent-anchor.json (inputs, float and PyTorch-int8 outputs).
"""
import json
import os

import torch

torch.manual_seed(20261208)
ENGINE = "qnnpack" if "qnnpack" in torch.backends.quantized.supported_engines else "fbgemm"
torch.backends.quantized.engine = ENGINE
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "__fixtures__", "recurrent")
os.makedirs(OUT, exist_ok=True)

IN, HID, SEQ, BATCH = 10, 20, 12, 2


class Seq(torch.nn.Module):
    """Returns the full output sequence of one recurrent module."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0]


class CellLoop(torch.nn.Module):
    """nn.RNN (1 layer, tanh) as a loop over nn.RNNCell with the same weights."""

    def __init__(self, rnn):
        super().__init__()
        self.cell = torch.nn.RNNCell(rnn.input_size, rnn.hidden_size)
        with torch.no_grad():
            self.cell.weight_ih.copy_(rnn.weight_ih_l0)
            self.cell.weight_hh.copy_(rnn.weight_hh_l0)
            self.cell.bias_ih.copy_(rnn.bias_ih_l0)
            self.cell.bias_hh.copy_(rnn.bias_hh_l0)

    def forward(self, x):
        h = torch.zeros(x.shape[1], self.cell.hidden_size)
        ys = []
        for t in range(x.shape[0]):
            h = self.cell(x[t], h)
            ys.append(h)
        return torch.stack(ys)


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def rms(a, b):
    return float(torch.sqrt(torch.mean((a - b) ** 2)))


models = {
    "lstm_bidirectional_2layer": Seq(torch.nn.LSTM(IN, HID, num_layers=2, bidirectional=True)),
    "gru": Seq(torch.nn.GRU(IN, HID)),
    "rnn": Seq(torch.nn.RNN(IN, HID)),
}
fixture = {"about": f"torch {torch.__version__}, quantize_dynamic qint8 (engine {ENGINE}); x ~ N(0, 1) [seq, batch, in]", "engine": ENGINE, "cases": []}
for name, model in models.items():
    model.eval()
    x = torch.randn(SEQ, BATCH, IN)
    with torch.no_grad():
        y = model(x)
        if name == "rnn":
            ref = torch.ao.quantization.quantize_dynamic(CellLoop(model.rnn).eval(), {torch.nn.RNNCell}, dtype=torch.qint8)
        else:
            ref = torch.ao.quantization.quantize_dynamic(model, {torch.nn.LSTM, torch.nn.GRU}, dtype=torch.qint8)
        yq = ref(x)
    path = os.path.join(OUT, f"{name}.onnx")
    torch.onnx.export(model, (x,), path, input_names=["x"], output_names=["y"], opset_version=14,
                      dynamic_axes={"x": {0: "seq", 1: "batch"}, "y": {0: "seq", 1: "batch"}})
    fixture["cases"].append({
        "name": name,
        "x_shape": list(x.shape),
        "x": floats(x),
        "y_shape": list(y.shape),
        "y_float": floats(y),
        "y_torch_int8": floats(yq),
        "torch_rms_error": rms(yq, y),
    })
    print(name, "torch int8 rms error", fixture["cases"][-1]["torch_rms_error"], "y rms", float(torch.sqrt(torch.mean(y ** 2))))
with open(os.path.join(OUT, "recurrent-anchor.json"), "w") as f:
    json.dump(fixture, f)
