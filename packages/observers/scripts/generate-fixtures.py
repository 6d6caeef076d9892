#!/usr/bin/python3
"""Records reference quantization parameters for @qint/observers' tests.

Run with Debian's python3-torch and python3-numpy (`/usr/bin/python3 scripts/generate-fixtures.py`). Writes
test/__fixtures__/*.json. Inputs are generated deterministically (numpy RandomState) as float32 and stored in the
fixtures as exact numbers, so the tests (which run without torch) feed exactly the same values.

References:
  * MinMax / MovingAverage / PerChannel / MovingAveragePerChannel / Histogram: torch.ao.quantization (PyTorch).
    Debian ships torch 1.13, whose HistogramObserver.forward truncates the histc bounds to int (torch.histc(x,
    min=int(min_val), ...)), drops nothing on +-inf and computes the merge grid with a different formula; PyTorch 2.1
    fixed these. `Torch21HistogramObserver` below replaces only forward()/_adjust_min_max() with the 2.1 behaviour
    and keeps torch 1.13's own histc, _combine_histograms, _non_linear_param_search and _calculate_qparams.
    The min/max observers get +-inf unfiltered (inputs pos_inf ... pc_inf_late): torch records it, its moving
    averages turn it NaN at the next batch (then calculate_qparams asserts: recorded as {"error": ...}), and
    _calculate_qparams returns an infinite scale with the zero point of x86's NaN -> int32 cast. "direct" in
    minmax.json calls _calculate_qparams on infinite bounds for every option set.
  * convention 'onnx' / 'tflite': NumPy implementations of onnxruntime's quant_utils.compute_scale_zp and TFLite's
    GetAsymmetricQuantizationParams / symmetric per-channel rule (neither tool is installed here).
  * Percentile / Entropy / MSE: NumPy implementations of the published algorithms, written here independently of
    the TypeScript code (see the functions' docstrings).
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import torch
from torch.ao.quantization import observer as O

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "__fixtures__")

F32 = np.float32


def f32num(v):
    """The shortest decimal that rounds to exactly this float32 (so Math.fround(JSON value) is the float32)."""
    v = F32(v)
    if not np.isfinite(v):
        return str(float(v))  # 'inf' / '-inf' / 'nan' -> decoded by the tests
    r = float(np.format_float_scientific(v, unique=True, trim="-"))
    assert F32(r) == v
    return int(r) if r == int(r) and abs(r) < 2**53 else r


def f32list(a):
    return [f32num(v) for v in np.asarray(a, dtype=F32).reshape(-1)]


# ----------------------------------------------------------------------------------------------- inputs
def make_inputs():
    """name -> (shape, [batch arrays]). Small, deterministic, covering the edge cases of the issue."""
    rs = np.random.RandomState(1234)
    shp = (96,)
    inputs = {}

    def add(name, batches, shape=shp):
        inputs[name] = (list(shape), [np.asarray(b, dtype=F32).reshape(shape) for b in batches])

    add("normal", [rs.randn(96) for _ in range(3)])
    add("uniform", [rs.uniform(-0.3, 0.9, 96) for _ in range(3)])
    add("all_positive", [np.abs(rs.randn(96)) * 2 + 0.5 for _ in range(2)])
    add("all_negative", [-np.abs(rs.randn(96)) * 3 - 0.25 for _ in range(2)])
    out = rs.randn(96)
    out[7] = 40.0
    out[50] = -25.0
    add("outliers", [out, rs.randn(96)])
    add("all_zero", [np.zeros(96), np.zeros(96)])
    add("constant", [np.full(96, 3.5), np.full(96, 3.5)])
    add("tiny", [rs.randn(96) * 1e-9 for _ in range(2)])
    add("huge", [rs.randn(96) * 3e4 + 1e4 for _ in range(2)])
    add("single", [[0.7], [-1.3]], shape=(1,))
    # growing range over batches: makes the histogram observer combine (upsample/regrid) histograms
    add("growing", [rs.randn(96) * s for s in (0.5, 1.0, 3.0, 2.0)])
    infs = rs.randn(96)
    infs[3] = np.inf
    infs[9] = -np.inf
    add("with_inf", [infs])
    # larger histogram inputs: a widening normal and a heavy tail (cubes of normals), 1024 values per batch
    add("large_normal", [rs.randn(1024) * s for s in (1.0, 2.5)], shape=(1024,))
    add("heavy_tail", [rs.randn(1024) ** 3], shape=(1024,))
    # a range that grows ~1e6x in one batch: PyTorch 2.1's HistogramObserver restarts instead of regridding
    add("explosive", [rs.randn(64), rs.randn(64) * 1e6, rs.randn(64)], shape=(64,))
    # per-channel shapes
    add("pc_conv", [rs.randn(4, 3, 8) * np.array([0.1, 1, 5, 0.01]).reshape(4, 1, 1) for _ in range(2)], shape=(4, 3, 8))
    add("pc_mixed", [np.concatenate([np.abs(rs.randn(1, 16)), -np.abs(rs.randn(1, 16)), np.zeros((1, 16)),
                                     rs.randn(1, 16) * 1e4, rs.randn(1, 16) * 1e-9], 0) for _ in range(2)], shape=(5, 16))
    # +-inf in every position the min/max observers (and their moving averages) can meet it
    fin = rs.randn(96)
    pos = rs.randn(96)
    pos[11] = np.inf
    neg = rs.randn(96)
    neg[40] = -np.inf
    add("pos_inf", [fin, pos])                        # max becomes +inf
    add("neg_inf", [neg, rs.randn(96)])               # min -inf first; the EMA then turns it NaN
    add("inf_late", [rs.randn(96), neg, pos])         # EMA min -inf, then max +inf
    add("all_pos_inf", [np.full(4, np.inf)], shape=(4,))      # min = max = +inf
    add("all_neg_inf", [np.full(4, -np.inf), np.full(4, -np.inf)], shape=(4,))
    add("pos_inf_positive", [np.abs(rs.randn(96)) + 1, np.where(np.arange(96) == 5, np.inf, np.abs(rs.randn(96)) + 1)])
    add("neg_inf_negative", [np.where(np.arange(96) == 5, -np.inf, -np.abs(rs.randn(96)) - 1)])
    # per channel: channel 0 sees +inf, 1 sees -inf, 2 both, 3 and 4 only finite values; then a finite batch
    pc = rs.randn(5, 12)
    pc[0, 3] = np.inf
    pc[1, 7] = -np.inf
    pc[2, 0] = -np.inf
    pc[2, 11] = np.inf
    add("pc_inf", [pc, rs.randn(5, 12)], shape=(5, 12))
    # per channel, infinities arriving after finite batches (the EMA goes to +-inf instead of NaN), channel last
    pcl = rs.randn(12, 5)
    pcl[4, 0] = np.inf
    pcl[9, 1] = -np.inf
    pcl[:, 3] = np.inf
    add("pc_inf_late", [rs.randn(12, 5), pcl], shape=(12, 5))
    # a Relu output (one-sided): half exact zeros and a heavy tail; its own generator keeps the inputs above unchanged
    rr = np.random.RandomState(4321)
    add("relu_heavy_tail", [np.maximum(rr.randn(1024), 0) ** 3 for _ in range(2)], shape=(1024,))
    return inputs


# ----------------------------------------------------------------------------------------------- torch helpers
TORCH_DTYPE = {"uint8": torch.quint8, "int8": torch.qint8}
TORCH_QSCHEME = {
    "per_tensor_affine": torch.per_tensor_affine,
    "per_tensor_symmetric": torch.per_tensor_symmetric,
    "per_channel_affine": torch.per_channel_affine,
    "per_channel_symmetric": torch.per_channel_symmetric,
}
TORCH_CLASS = {
    "MinMaxObserver": O.MinMaxObserver,
    "MovingAverageMinMaxObserver": O.MovingAverageMinMaxObserver,
    "PerChannelMinMaxObserver": O.PerChannelMinMaxObserver,
    "MovingAveragePerChannelMinMaxObserver": O.MovingAveragePerChannelMinMaxObserver,
}


def torch_kwargs(opts):
    kw = {}
    if "dtype" in opts:
        kw["dtype"] = TORCH_DTYPE[opts["dtype"]]
    if "qscheme" in opts:
        kw["qscheme"] = TORCH_QSCHEME[opts["qscheme"]]
    for ours, theirs in (("reduceRange", "reduce_range"), ("quantMin", "quant_min"), ("quantMax", "quant_max"),
                         ("eps", "eps"), ("averagingConstant", "averaging_constant"), ("chAxis", "ch_axis"),
                         ("bins", "bins")):
        if ours in opts:
            kw[theirs] = opts[ours]
    return kw


def finite_only(b):
    # The 'onnx' / 'tflite' references below are computed on finite inputs only (those conventions refuse or define
    # the infinite cases separately; see calculate-qparams.ts).
    return b[np.isfinite(b)] if b.ndim == 1 else b


class Torch21HistogramObserver(O.HistogramObserver):
    """torch 1.13 HistogramObserver with forward()/_adjust_min_max() as PyTorch 2.1 behaves (see module docstring)."""

    def _adjust_min_max(self, combined_min, combined_max, upsample_rate):
        # 2.1 derives the grid from the ratio of the ranges instead of dividing by a (possibly subnormal) bin width.
        ratio = (combined_max - combined_min) / (self.max_val - self.min_val)
        downsample_rate = int(torch.ceil(ratio * upsample_rate).item())
        e = downsample_rate / upsample_rate * (self.max_val - self.min_val) - (combined_max - combined_min)
        offset = (self.min_val - combined_min) / (self.max_val - self.min_val) * self.bins * upsample_rate
        start_idx = int(torch.round(offset).item())
        return combined_min, combined_max + e, downsample_rate, start_idx

    def _reset(self, x, lo, hi):
        self.min_val.resize_(lo.shape)
        self.min_val.copy_(lo)
        self.max_val.resize_(hi.shape)
        self.max_val.copy_(hi)
        torch.histc(x, self.bins, min=lo.item(), max=hi.item(), out=self.histogram)

    def forward(self, x_orig):
        if x_orig.numel() == 0:
            return x_orig
        x = x_orig.detach()
        x_min, x_max = torch.aminmax(x)
        if x_min == -math.inf or x_max == math.inf:
            x = x[x.abs() != math.inf]
            if x.numel() == 0:
                return x_orig
            x_min, x_max = torch.aminmax(x)
        fresh = self.min_val == math.inf and self.max_val == -math.inf
        if fresh or self.min_val.item() == self.max_val.item() or (self.max_val - self.min_val) < 1e-6:
            self._reset(x, x_min, x_max)
            return x_orig
        lo = torch.min(x_min, self.min_val)
        hi = torch.max(x_max, self.max_val)
        lo, hi, down, start = self._adjust_min_max(lo, hi, self.upsample_rate)
        hist = torch.histc(x, self.bins, min=lo.item(), max=hi.item())
        if lo == self.min_val and hi == self.max_val:
            hist += self.histogram
        elif self.bins * down * 4 > 1e9:
            self._reset(x, x_min, x_max)
            return x_orig
        else:
            hist = self._combine_histograms(hist, self.histogram, self.upsample_rate, down, start, self.bins)
        self.histogram.detach_().resize_(hist.shape)
        self.histogram.copy_(hist)
        self.min_val.detach_().resize_(lo.shape)
        self.min_val.copy_(lo)
        self.max_val.detach_().resize_(hi.shape)
        self.max_val.copy_(hi)
        return x_orig


def run_torch(kind, opts, batches):
    if kind == "HistogramObserver":
        kw = torch_kwargs(opts)
        obs = Torch21HistogramObserver(**kw)
    else:
        obs = TORCH_CLASS[kind](**torch_kwargs(opts))
    for b in batches:
        # +-inf reach torch unfiltered: the min/max observers record them (and average them), the 2.1-style
        # histogram forward drops them.
        obs(torch.from_numpy(b))
    try:
        scale, zp = obs.calculate_qparams()
        res = {"scale": f32list(scale), "zeroPoint": [int(v) for v in zp.reshape(-1)]}
    except AssertionError as e:
        # check_min_max_valid: a moving average that became NaN (-inf followed by a finite value)
        res = {"error": str(e)}
    if kind == "HistogramObserver":
        res["min"] = f32list(obs.min_val)
        res["max"] = f32list(obs.max_val)
        if obs.min_val.item() != math.inf:  # the search of an observer that saw nothing finite is meaningless
            lo, hi = obs._non_linear_param_search()
            res["rangeMin"] = f32list(lo)
            res["rangeMax"] = f32list(hi)
        res["histogramSum"] = float(obs.histogram.double().sum())
    else:
        res["min"] = f32list(obs.min_val)
        res["max"] = f32list(obs.max_val)
    return res


# ----------------------------------------------------------------------------------------------- other conventions
def onnx_qparams(lo, hi, qmin, qmax, symmetric):
    """onnxruntime quant_utils.compute_scale_zp, in float32."""
    rmin = min(F32(lo), F32(0))
    rmax = max(F32(hi), F32(0))
    if symmetric:
        a = max(abs(rmin), abs(rmax))
        rmin, rmax = -a, a
    scale = F32(F32(rmax - rmin) / F32(qmax - qmin))
    if scale < np.finfo(F32).tiny:
        return 1.0, 0
    zp = qmin - int(np.round(F32(rmin / scale)))
    return float(scale), int(min(max(zp, qmin), qmax))


def tflite_qparams(lo, hi, qmin, qmax, symmetric, dtype):
    """TFLite: symmetric absmax/((qmax-qmin)/2) with zero point 0 (128 for uint8); asymmetric per
    quantization_utils GetAsymmetricQuantizationParams (double math, zero point from the end with smaller error,
    std::round = half away from zero)."""
    lo = min(float(F32(lo)), 0.0)
    hi = max(float(F32(hi)), 0.0)
    if symmetric:
        a = max(-lo, hi)
        z = (qmin + qmax + 1) // 2 if dtype == "uint8" else 0
        return (1.0, z) if a == 0 else (float(F32(a / ((qmax - qmin) / 2))), z)
    if lo == hi:
        return 1.0, min(max(0, qmin), qmax)
    s = (hi - lo) / (qmax - qmin)
    zmin, zmax = qmin - lo / s, qmax - hi / s
    emin, emax = abs(qmin) + abs(lo / s), abs(qmax) + abs(hi / s)
    zd = zmin if emin < emax else zmax
    if zd <= qmin:
        z = qmin
    elif zd >= qmax:
        z = qmax
    else:
        z = int(math.copysign(math.floor(abs(zd) + 0.5), zd))
    return float(F32(s)), z


def qrange(opts):
    conv = opts.get("convention", "pytorch")
    dtype = opts.get("dtype", "uint8")
    sym = "symmetric" in opts.get("qscheme", "affine")
    rr = opts.get("reduceRange", False)
    if "quantMin" in opts:
        lo, hi = opts["quantMin"], opts["quantMax"]
        return (lo // 2, hi // 2) if rr else (lo, hi)
    if conv == "onnx":
        if dtype == "int8":
            return (-64, 64) if rr else ((-127, 127) if sym else (-128, 127))
        return (0, 127) if rr else (0, 255)
    if conv == "tflite":
        return ((-127, 127) if sym else (-128, 127)) if dtype == "int8" else (0, 255)
    raise AssertionError


def convention_case(opts, mins, maxs):
    qmin, qmax = qrange(opts)
    sym = "symmetric" in opts.get("qscheme", "affine")
    out_s, out_z = [], []
    for lo, hi in zip(mins, maxs):
        if opts["convention"] == "onnx":
            s, z = onnx_qparams(lo, hi, qmin, qmax, sym)
        else:
            s, z = tflite_qparams(lo, hi, qmin, qmax, sym, opts.get("dtype", "uint8"))
        out_s.append(s)
        out_z.append(z)
    return {"scale": out_s, "zeroPoint": out_z}


# ----------------------------------------------------------------------------------------------- grids
PER_TENSOR_INPUTS = ["normal", "uniform", "all_positive", "all_negative", "outliers", "all_zero", "constant", "tiny",
                     "huge", "single", "growing", "with_inf"]
INF_INPUTS = ["pos_inf", "neg_inf", "inf_late", "all_pos_inf", "all_neg_inf", "pos_inf_positive", "neg_inf_negative"]
PER_CHANNEL_INPUTS = ["pc_conv", "pc_mixed"]
PC_INF_INPUTS = ["pc_inf", "pc_inf_late"]

OPTION_GRID_PT = [
    {},
    {"dtype": "int8"},
    {"dtype": "uint8", "qscheme": "per_tensor_symmetric"},
    {"dtype": "int8", "qscheme": "per_tensor_symmetric"},
    {"dtype": "uint8", "reduceRange": True},
    {"dtype": "int8", "reduceRange": True},
    {"dtype": "int8", "qscheme": "per_tensor_symmetric", "reduceRange": True},
    {"dtype": "int8", "quantMin": -8, "quantMax": 7},
    {"dtype": "int8", "quantMin": -4, "quantMax": 3, "qscheme": "per_tensor_symmetric"},
    {"dtype": "int8", "quantMin": -2, "quantMax": 1},
    {"dtype": "uint8", "quantMin": 0, "quantMax": 15},
    {"dtype": "uint8", "quantMin": 0, "quantMax": 7, "qscheme": "per_tensor_symmetric"},
    {"dtype": "uint8", "quantMin": 0, "quantMax": 3, "reduceRange": True},
    {"dtype": "int8", "quantMin": -8, "quantMax": 7, "reduceRange": True},
    {"eps": 1e-3},
]


def per_channel_opts(o):
    o = dict(o)
    if "qscheme" in o:
        o["qscheme"] = o["qscheme"].replace("per_tensor", "per_channel")
    return o


def main():
    inputs = make_inputs()
    stored_inputs = {k: {"shape": s, "batches": [f32list(b) for b in bs]} for k, (s, bs) in inputs.items()}
    cases = []
    for kind in ("MinMaxObserver", "MovingAverageMinMaxObserver"):
        for name in PER_TENSOR_INPUTS + INF_INPUTS:
            grid = OPTION_GRID_PT if kind == "MinMaxObserver" else OPTION_GRID_PT[:4] + [{"averagingConstant": 0.3}]
            for opts in grid:
                cases.append({"kind": kind, "options": opts, "input": name,
                              "expected": run_torch(kind, opts, inputs[name][1])})
    for kind in ("PerChannelMinMaxObserver", "MovingAveragePerChannelMinMaxObserver"):
        for name in PER_CHANNEL_INPUTS + PC_INF_INPUTS:
            axes = [0, 1, 2, -1] if name == "pc_conv" else [0, 1] if name == "pc_mixed" else [0, -1] if name == "pc_inf" else [1]
            for ax in axes:
                full = kind == "PerChannelMinMaxObserver" and (ax == 0 or name == "pc_inf_late")
                grid = OPTION_GRID_PT if full else OPTION_GRID_PT[:4]
                for o in grid:
                    opts = dict(per_channel_opts(o), chAxis=ax)
                    if kind.startswith("MovingAverage"):
                        opts["averagingConstant"] = 0.25
                    cases.append({"kind": kind, "options": opts, "input": name,
                                  "expected": run_torch(kind, opts, inputs[name][1])})
    # Other conventions, on the min/max that MinMaxObserver / PerChannelMinMaxObserver record.
    for name in ["normal", "all_positive", "all_negative", "all_zero", "tiny", "huge", "single"] + PER_CHANNEL_INPUTS:
        pc = name in PER_CHANNEL_INPUTS
        batches = inputs[name][1]
        if pc:
            per_ch = np.stack(batches).swapaxes(0, 1).reshape(batches[0].shape[0], -1)
            mins = per_ch.min(axis=1)
            maxs = per_ch.max(axis=1)
        else:
            allv = np.concatenate([finite_only(b.reshape(-1)) for b in batches])
            mins, maxs = [allv.min()], [allv.max()]
        for conv in ("onnx", "tflite"):
            for o in ({"dtype": "uint8"}, {"dtype": "int8"}, {"dtype": "int8", "qscheme": "per_tensor_symmetric"},
                      {"dtype": "uint8", "qscheme": "per_tensor_symmetric"}, {"dtype": "int8", "reduceRange": True},
                      {"dtype": "uint8", "reduceRange": True},
                      {"dtype": "int8", "qscheme": "per_tensor_symmetric", "quantMin": -8, "quantMax": 7}):
                if conv == "tflite" and o.get("reduceRange"):
                    continue
                opts = dict(per_channel_opts(o) if pc else o, convention=conv)
                kind = "PerChannelMinMaxObserver" if pc else "MinMaxObserver"
                exp = convention_case(opts, mins, maxs)
                exp["min"] = f32list(mins)
                exp["max"] = f32list(maxs)
                cases.append({"kind": kind, "options": opts, "input": name, "expected": exp})
    direct = direct_infinite_cases()
    used = sorted(set(c["input"] for c in cases))
    write("minmax.json", {"generator": "scripts/generate-fixtures.py", "torch": torch.__version__,
                          "inputs": {k: stored_inputs[k] for k in used}, "cases": cases, "direct": direct})
    if "--minmax-only" in sys.argv:
        return
    histogram_fixtures(inputs, stored_inputs)
    if "--no-numpy" in sys.argv:
        return
    numpy_fixtures(inputs, stored_inputs)


INF_BOUNDS = [(-math.inf, 1.0), (-1.0, math.inf), (-math.inf, math.inf), (math.inf, math.inf), (-math.inf, -math.inf),
              (2.0, math.inf), (-math.inf, -3.0), (0.0, math.inf), (-math.inf, 0.0)]


def direct_infinite_cases():
    """torch's _calculate_qparams called directly on infinite bounds, per tensor (every option set) and per channel
    (the bounds as channels). Shows the x86 NaN -> int32 cast: min = -inf gives round(-inf / inf).to(int) = INT_MIN."""
    out = []
    mins = [lo for lo, _ in INF_BOUNDS]
    maxs = [hi for _, hi in INF_BOUNDS]
    for opts in OPTION_GRID_PT:
        obs = O.MinMaxObserver(**torch_kwargs(opts))
        for lo, hi in INF_BOUNDS:
            s_, z = obs._calculate_qparams(torch.tensor(lo), torch.tensor(hi))
            out.append({"options": opts, "min": [f32num(lo)], "max": [f32num(hi)],
                        "expected": {"scale": f32list(s_), "zeroPoint": [int(v) for v in z.reshape(-1)]}})
        pc = per_channel_opts(opts)
        pobs = O.PerChannelMinMaxObserver(**torch_kwargs(pc))
        s_, z = pobs._calculate_qparams(torch.tensor(mins, dtype=torch.float32), torch.tensor(maxs, dtype=torch.float32))
        out.append({"options": pc, "min": f32list(mins), "max": f32list(maxs),
                    "expected": {"scale": f32list(s_), "zeroPoint": [int(v) for v in z.reshape(-1)]}})
    return out


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "w") as fh:
        json.dump(obj, fh, separators=(",", ":"))
    print(f"{path}: {len(obj['cases'])} cases, {os.path.getsize(path) // 1024} KB")


HIST_OPTIONS = [
    {},
    {"dtype": "int8"},
    {"dtype": "int8", "qscheme": "per_tensor_symmetric"},
    {"dtype": "uint8", "qscheme": "per_tensor_symmetric"},
    {"dtype": "uint8", "reduceRange": True},
    {"dtype": "int8", "quantMin": -8, "quantMax": 7},
    {"dtype": "uint8", "quantMin": 0, "quantMax": 15, "qscheme": "per_tensor_symmetric"},
    {"bins": 256},
]


def histogram_fixtures(inputs, stored_inputs):
    names = ["normal", "uniform", "all_positive", "all_negative", "outliers", "all_zero", "constant", "tiny", "huge",
             "single", "growing", "with_inf", "large_normal", "heavy_tail", "explosive", "pos_inf", "neg_inf", "all_pos_inf"]
    cases = []
    for name in names:
        for opts in HIST_OPTIONS:
            cases.append({"kind": "HistogramObserver", "options": opts, "input": name,
                          "expected": run_torch("HistogramObserver", opts, inputs[name][1])})
    # sanity: where torch 1.13's own forward is not affected by its int() truncation (one batch inside (-1, 1)),
    # the 2.1-style forward gives the same answer.
    b = inputs["uniform"][1][0]
    plain = O.HistogramObserver()
    plain(torch.from_numpy(b))
    ours = Torch21HistogramObserver()
    ours(torch.from_numpy(b))
    assert [float(v) for v in plain.calculate_qparams()[0]] == [float(v) for v in ours.calculate_qparams()[0]]
    # What torch 1.13's own HistogramObserver does with non-finite input (for the README's NaN/inf table).
    torch113 = {}
    for what, v in (("inf", math.inf), ("-inf", -math.inf), ("nan", math.nan)):
        try:
            O.HistogramObserver()(torch.tensor([0.5, -1.0, v]))
            torch113[what] = "accepted"
        except Exception as e:  # noqa: BLE001 - recording whatever torch raises
            torch113[what] = f"{type(e).__name__}: {e}"
    used = sorted(set(c["input"] for c in cases))
    write("histogram.json", {"generator": "scripts/generate-fixtures.py", "torch": torch.__version__,
                             "torch113HistogramObserverOnNonFinite": torch113,
                             "inputs": {k: stored_inputs[k] for k in used}, "cases": cases})


# ----------------------------------------------------------------------------------------------- NumPy references
def np_aligned_histogram(values, bins):
    """Histogram on the power-of-two grid: bin j = [j*w, (j+1)*w), w = 2**k, k the smallest exponent for which
    [min(min,0), max(max,0)] spans at most `bins` bins; the window starts at floor(min(min,0)/w)."""
    v = values[np.isfinite(values)].astype(np.float64)
    mn, mx = float(v.min()), float(v.max())
    lo_r, hi_r = min(mn, 0.0), max(mx, 0.0)
    if lo_r == 0.0 and hi_r == 0.0:
        counts = np.zeros(bins, dtype=np.int64)
        counts[0] = v.size
        return {"w": 0.0, "lo": 0, "counts": counts, "min": mn, "max": mx, "total": v.size}

    def span(k):
        return math.floor(hi_r / 2.0 ** k) - math.floor(lo_r / 2.0 ** k) + 1

    k = -200
    while span(k) > bins:
        k += 1
    w = 2.0 ** k
    lo = math.floor(lo_r / w)
    idx = np.floor(v / w).astype(np.int64) - lo
    counts = np.bincount(idx, minlength=bins)
    assert counts.size == bins
    return {"w": w, "lo": lo, "counts": counts, "min": mn, "max": mx, "total": v.size}


def np_abs_counts(h):
    j = h["lo"] + np.arange(h["counts"].size)
    a = np.where(j >= 0, j, -j - 1)
    size = max(math.floor(max(h["max"], 0.0) / h["w"]) + 1, -math.floor(min(h["min"], 0.0) / h["w"]), 1)
    return np.bincount(a, weights=h["counts"], minlength=size)[:size]


def np_percentile_range(h, pct, symmetric):
    """onnxruntime/TensorRT percentile: symmetric on |x| (threshold = upper edge of the bin where the CDF reaches
    pct), affine cutting (100-pct)/2 % per tail on the signed histogram; clamped to the observed range."""
    w = h["w"]
    if w == 0.0:
        return h["min"], h["max"]
    if symmetric:
        cdf = np.cumsum(np_abs_counts(h))
        i = min(int(np.searchsorted(cdf, pct / 100.0 * h["total"], side="left")), cdf.size - 1)
        t = min((i + 1) * w, max(-h["min"], h["max"]))
        return max(-t, h["min"]), min(t, h["max"])
    cdf = np.cumsum(h["counts"])
    cut = (100.0 - pct) / 200.0 * h["total"]
    i_lo = min(int(np.searchsorted(cdf, cut, side="left")), cdf.size - 1)
    i_hi = min(int(np.searchsorted(cdf, h["total"] - cut, side="left")), cdf.size - 1)
    lo = max((h["lo"] + i_lo) * w, h["min"])
    hi = min((h["lo"] + i_hi + 1) * w, h["max"])
    return min(lo, hi), hi


def rel_entr_sum(p, q):
    p = p / p.sum()
    q = q / q.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((p > 0) & (q > 0), p * np.log(p / q), np.where((p == 0) & (q >= 0), 0.0, np.inf))
    return float(terms.sum())


def smooth(d, eps=1e-4):
    zeros = d == 0
    nz = d.size - int(zeros.sum())
    if nz == 0:
        return None
    eps1 = eps * zeros.sum() / nz
    if eps1 >= 1.0:
        return None
    return d + eps * zeros - eps1 * (~zeros)


def np_entropy_bins(hist, nq):
    """TensorRT / MXNet KL threshold search over thresholds i = nq..len(hist) (see EntropyObserver's TSDoc)."""
    n = hist.size
    if n <= nq:
        return n
    best, best_kl = n, math.inf
    for i in range(nq, n + 1):
        p = hist[:i].astype(np.float64).copy()
        p[i - 1] += hist[i:].sum()
        nz = p != 0
        group = np.minimum(np.arange(i) // (i // nq), nq - 1)
        mass = np.bincount(group, weights=hist[:i], minlength=nq)
        cnt = np.bincount(group, weights=nz.astype(np.float64), minlength=nq)
        q = np.where(nz, mass[group] / np.maximum(cnt[group], 1.0), 0.0)
        ps, qs = smooth(p), smooth(q)
        kl = math.inf if ps is None or qs is None else rel_entr_sum(ps, qs)
        if kl < best_kl:
            best, best_kl = i, kl
    return best


def np_entropy_range(h, nq, symmetric):
    """One-sided data under an affine qscheme (all >= 0 or all <= 0): every level lies on one side, so 2*nq levels,
    and the zero bin (Relu's exact zeros) counts as bin 1, as NVIDIA's calibrator for unsigned tensors."""
    if h["w"] == 0.0:
        return h["min"], h["max"]
    counts = np_abs_counts(h).astype(np.float64)
    if not symmetric and (h["min"] >= 0 or h["max"] <= 0):
        nq = 2 * nq
    if counts.size > 1:
        counts[0] = counts[1]
    t = min(np_entropy_bins(counts, nq) * h["w"], max(-h["min"], h["max"]))
    return max(-t, h["min"]), min(t, h["max"])


def np_mse_range(h, steps, symmetric, torch_obs):
    """Grid of clipping factors a = j/steps; error of quantizing the bin centres with PyTorch's qparams for
    [a*min, a*max] (symmetric: [-a*absmax, a*absmax]); smallest error wins, larger a on ties."""
    w = h["w"]
    if w == 0.0:
        return h["min"], h["max"]
    nzi = np.nonzero(h["counts"])[0]
    centres = (h["lo"] + nzi + 0.5) * w
    counts = h["counts"][nzi].astype(np.float64)
    absmax = max(-h["min"], h["max"])
    qmin, qmax = torch_obs.quant_min, torch_obs.quant_max
    best, best_err = (h["min"], h["max"]), math.inf
    for j in range(steps, 0, -1):
        a = j / steps
        lo = float(F32(-a * absmax if symmetric else a * h["min"]))
        hi = float(F32(a * absmax if symmetric else a * h["max"]))
        s, z = torch_obs._calculate_qparams(torch.tensor(lo), torch.tensor(hi))
        s, z = float(s[0]), int(z[0])
        q = np.clip(np.round(centres / s) + z, qmin, qmax)
        err = float(np.sum(counts * ((q - z) * s - centres) ** 2))
        if err < best_err:
            best, best_err = (lo, hi), err
    return best


NP_OPTIONS = [
    ("PercentileObserver", {}),
    ("PercentileObserver", {"dtype": "int8", "qscheme": "per_tensor_symmetric", "percentile": 99.9}),
    ("PercentileObserver", {"dtype": "int8", "percentile": 95}),
    ("PercentileObserver", {"percentile": 100, "bins": 256}),
    ("EntropyObserver", {"dtype": "int8", "qscheme": "per_tensor_symmetric"}),
    ("EntropyObserver", {}),
    ("EntropyObserver", {"dtype": "int8", "qscheme": "per_tensor_symmetric", "quantMin": -8, "quantMax": 7, "bins": 512}),
    ("MseObserver", {}),
    ("MseObserver", {"dtype": "int8", "qscheme": "per_tensor_symmetric"}),
    ("MseObserver", {"dtype": "int8", "quantMin": -8, "quantMax": 7, "mseSteps": 40}),
    ("MseObserver", {"dtype": "uint8", "quantMin": 0, "quantMax": 3, "bins": 256}),
]
NP_INPUTS = ["normal", "outliers", "all_positive", "all_negative", "all_zero", "constant", "tiny", "huge", "single",
             "growing", "with_inf", "large_normal", "heavy_tail", "pos_inf", "neg_inf", "relu_heavy_tail"]


def numpy_case(kind, opts, batches):
    kw = torch_kwargs({k: v for k, v in opts.items() if k not in ("bins", "percentile", "mseSteps")})
    tobs = O.MinMaxObserver(**kw)  # only for the range -> qparams step (PyTorch's _calculate_qparams)
    h = np_aligned_histogram(np.concatenate([b.reshape(-1) for b in batches]), opts.get("bins", 2048))
    symmetric = "symmetric" in opts.get("qscheme", "affine")
    if kind == "PercentileObserver":
        lo, hi = np_percentile_range(h, opts.get("percentile", 99.99), symmetric)
    elif kind == "EntropyObserver":
        lo, hi = np_entropy_range(h, math.ceil((tobs.quant_max - tobs.quant_min) / 2), symmetric)
    else:
        lo, hi = np_mse_range(h, opts.get("mseSteps", 100), symmetric, tobs)
    lo, hi = float(F32(lo)), float(F32(hi))
    s, z = tobs._calculate_qparams(torch.tensor(lo), torch.tensor(hi))
    return {"scale": f32list(s), "zeroPoint": [int(v) for v in z.reshape(-1)], "rangeMin": [f32num(lo)],
            "rangeMax": [f32num(hi)], "min": [f32num(h["min"])], "max": [f32num(h["max"])], "total": int(h["total"]),
            "width": h["w"], "lo": int(h["lo"])}


def numpy_fixtures(inputs, stored_inputs):
    cases = []
    for name in NP_INPUTS:
        for kind, opts in NP_OPTIONS:
            cases.append({"kind": kind, "options": opts, "input": name,
                          "expected": numpy_case(kind, opts, inputs[name][1])})
    used = sorted(set(c["input"] for c in cases))
    write("calibration.json", {"generator": "scripts/generate-fixtures.py", "reference": "NumPy " + np.__version__,
                               "inputs": {k: stored_inputs[k] for k in used}, "cases": cases})


if __name__ == "__main__":
    main()
