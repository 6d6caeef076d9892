# Dev-only: exports the torchvision models that issue 21 names as real-exporter blockers (random weights, small
# inputs) to ONNX, plus each one's input as .npy, into the directory given (default /tmp/qint-real-models).
# Needs torch 1.13 / torchvision 0.14 (here: /usr/bin/python3). Models are not committed (tens of MB).
#   /usr/bin/python3 export.py [out_dir]
import os
import sys

import numpy as np
import torch
import torchvision

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/qint-real-models"
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


class EinsumBlock(torch.nn.Module):
    """Bilinear attention written with torch.einsum (batched matmul, transpose, reduction)."""

    def __init__(self):
        super().__init__()
        self.q = torch.nn.Linear(16, 16)
        self.k = torch.nn.Linear(16, 16)
        self.w = torch.nn.Parameter(torch.randn(8, 16))

    def forward(self, x):
        q = self.q(x).reshape(x.shape[0], x.shape[1], 2, 8)
        k = self.k(x).reshape(x.shape[0], x.shape[1], 2, 8)
        att = torch.einsum("bqhd,bkhd->bhqk", q, k).softmax(-1)
        mixed = torch.einsum("bhqk,bkhd->bqhd", att, k)
        return torch.einsum("bqhd,de->bqe", mixed, self.w) + torch.einsum("bqhd->bq", q)[..., None]


def export(name, model, x, opset, **kw):
    model.eval()
    path = os.path.join(out, f"{name}.onnx")
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], **kw)
    first = x
    while isinstance(first, (tuple, list)):
        first = first[0]
    np.save(os.path.join(out, f"{name}.input.npy"), first.numpy())
    print(name, path, os.path.getsize(path))


def spread_head(module, std=0.2):
    """torchvision initialises detection heads with std 0.01 (0.001 for box deltas): with random weights every score
    is then ~1/classes. Wider weights give distinct scores and box deltas, so NMS/TopK selection is really compared."""
    for p in module.parameters():
        torch.nn.init.normal_(p, std=std)


which = sys.argv[2:] or ["einsum", "swin_t", "ssdlite", "fasterrcnn"]
if "einsum" in which:
    export("einsum", EinsumBlock(), torch.randn(2, 5, 16), 12)
if "swin_t" in which:
    export("swin_t", torchvision.models.swin_t(weights=None), torch.randn(1, 3, 224, 224), 16)
if "ssdlite" in which:
    m = torchvision.models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None)
    spread_head(m.head)
    export("ssdlite", m, torch.rand(1, 3, 320, 320), 16)
if "fasterrcnn" in which:
    m = torchvision.models.detection.fasterrcnn_mobilenet_v3_large_320_fpn(weights=None, weights_backbone=None, box_score_thresh=0.0)
    spread_head(m.rpn.head)
    spread_head(m.roi_heads.box_head, std=0.05)
    spread_head(m.roi_heads.box_predictor)
    # A list of one image, as the detector takes it: the exporter traces it as the single input.
    # A smooth image with structure (a gradient and a bright square) rather than noise, so ROI features differ.
    ramp = torch.linspace(0, 1, 320)
    img = torch.stack([ramp[None, :].expand(320, 320), ramp[:, None].expand(320, 320), 0.5 * torch.ones(320, 320)])
    img[:, 100:180, 140:260] += 0.4
    export("fasterrcnn", m, ([img.clamp(0, 1) + 0.05 * torch.rand(3, 320, 320)],), 16)


def truncate_before_control_flow(name):
    """Writes <name>.pre-if.onnx: the graph up to its first If/Loop, whose outputs are the values that node reads
    (its condition and the outer-scope names its subgraphs use), so the rest of the model can be checked while
    control flow is not supported."""
    import onnx

    path = os.path.join(out, f"{name}.onnx")
    m = onnx.load(path)
    g = m.graph
    k = next((i for i, n in enumerate(g.node) if n.op_type in ("If", "Loop")), None)
    if k is None:
        return
    produced = {o for n in g.node[:k] for o in n.output} | {i.name for i in g.input} | {t.name for t in g.initializer}

    def reads(graph, local):
        names = set()
        local = set(local) | {i.name for i in graph.input} | {t.name for t in graph.initializer}
        for n in graph.node:
            names |= {i for i in n.input if i and i not in local}
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    names |= reads(a.g, local)
            local |= set(n.output)
        return names

    cf = g.node[k]
    wanted = [i for i in cf.input if i]
    for a in cf.attribute:
        if a.type == onnx.AttributeProto.GRAPH:
            wanted += sorted(n for n in reads(a.g, set()) if n in produced and n not in wanted)
    wanted = [w for w in wanted if w not in {t.name for t in g.initializer}]
    del g.node[k:]
    del g.output[:]
    g.output.extend(onnx.helper.make_empty_tensor_value_info(w) for w in wanted)
    onnx.save(m, os.path.join(out, f"{name}.pre-if.onnx"))
    print(f"{name}.pre-if: outputs {wanted}")
    import shutil

    shutil.copy(os.path.join(out, f"{name}.input.npy"), os.path.join(out, f"{name}.pre-if.input.npy"))


# "truncate" alone re-cuts already exported detectors.
if "ssdlite" in which or "truncate" in which:
    truncate_before_control_flow("ssdlite")
if "fasterrcnn" in which or "truncate" in which:
    truncate_before_control_flow("fasterrcnn")
