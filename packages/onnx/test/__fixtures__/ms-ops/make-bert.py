"""A two-layer BERT-style encoder (word/position/segment embeddings, self-attention with a padding mask, erf-GELU FFN),
seeded random weights, exported by torch 1.13 to ONNX (opset 14) as `bert.onnx`, plus its inputs. `node
optimize-bert.mjs` then lets onnxruntime-node's graph optimizer (level 'extended') fuse it into com.microsoft ops and
writes ms_bert_ort_optimized/model.onnx; record-outputs.mjs records onnxruntime's outputs as for the other cases."""
import math
import os
import shutil

import numpy as np
import torch
import torch.nn as nn
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
H, NH, L, V, P, I = 32, 4, 2, 50, 16, 64


class Layer(nn.Module):
    def __init__(s):
        super().__init__()
        s.q, s.k, s.v, s.o = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
        s.ln1, s.ln2 = nn.LayerNorm(H, eps=1e-12), nn.LayerNorm(H, eps=1e-12)
        s.f1, s.f2 = nn.Linear(H, I), nn.Linear(I, H)

    def split(s, x):
        b, t, _ = x.shape
        return x.view(b, t, NH, H // NH).permute(0, 2, 1, 3)

    def forward(s, x, mask):
        q, k, v = s.split(s.q(x)), s.split(s.k(x)), s.split(s.v(x))
        sc = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(H // NH) + mask
        p = torch.softmax(sc, dim=-1)
        c = torch.matmul(p, v).permute(0, 2, 1, 3).contiguous()
        c = c.view(c.shape[0], c.shape[1], H)
        x = s.ln1(s.o(c) + x)
        h = s.f1(x)
        h = h * 0.5 * (1.0 + torch.erf(h / math.sqrt(2.0)))
        return s.ln2(s.f2(h) + x)


class Bert(nn.Module):
    def __init__(s):
        super().__init__()
        s.we, s.pe, s.te = nn.Embedding(V, H), nn.Embedding(P, H), nn.Embedding(2, H)
        s.ln = nn.LayerNorm(H, eps=1e-12)
        s.layers = nn.ModuleList([Layer() for _ in range(L)])

    def forward(s, ids, mask, tt):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = s.ln(s.we(ids) + s.pe(pos) + s.te(tt))
        m = (1.0 - mask[:, None, None, :].to(torch.float32)) * -10000.0
        for layer in s.layers:
            x = layer(x, m)
        return x


model = Bert().eval()
ids = torch.randint(0, V, (2, 8))
mask = torch.ones(2, 8, dtype=torch.int64)
mask[0, 6:] = 0
tt = torch.zeros(2, 8, dtype=torch.int64)
tt[:, 4:] = 1
torch.onnx.export(model, (ids, mask, tt), os.path.join(HERE, 'bert.onnx'), input_names=['input_ids', 'attention_mask', 'token_type_ids'],
                  output_names=['last_hidden_state'], opset_version=14,
                  dynamic_axes={k: {0: 'b', 1: 's'} for k in ['input_ids', 'attention_mask', 'token_type_ids', 'last_hidden_state']})
d = os.path.join(HERE, 'ms_bert_ort_optimized', 'test_data_set_0')
shutil.rmtree(os.path.dirname(d), ignore_errors=True)
os.makedirs(d)
for i, (n, t) in enumerate([('input_ids', ids), ('attention_mask', mask), ('token_type_ids', tt)]):
    with open(os.path.join(d, f'input_{i}.pb'), 'wb') as fh:
        fh.write(numpy_helper.from_array(t.numpy().astype(np.int64), n).SerializeToString())
