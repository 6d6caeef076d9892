#!/usr/bin/env python3
"""Reference values for weightQuantizationError, computed independently with NumPy in float32
(np.round rounds half to even; np.float16 for float16 scales). Writes test/__fixtures__/weight-error.json.
Run: python3 scripts/generate-fixtures.py (NumPy 2.x)."""
import json
import numpy as np

rng = np.random.default_rng(2026)
n, k = 4, 64
w = (rng.standard_normal((n, k)) * np.exp(rng.standard_normal((1, k)))).astype(np.float32)
w[1, 5] = 0.0
energy = rng.uniform(0, 3, size=k).astype(np.float32)

def qdq_group(g, bits, affine, half):
    g = g.astype(np.float32)
    def to_scale(v):
        v = np.float32(v)
        return np.float32(np.float16(v)) if half else v
    if affine:
        lo = np.float32(min(g.min(), 0)); hi = np.float32(max(g.max(), 0))
        qmax = 2 ** bits - 1
        scale = to_scale(np.float32(hi - lo) / np.float32(qmax))
        if scale == 0:
            return np.zeros_like(g)
        zp = np.clip(np.round(np.float32(-lo / scale)), 0, qmax)
        q = np.clip(np.round((g / scale).astype(np.float32)) + zp, 0, qmax)
        return ((q - zp).astype(np.float32) * scale).astype(np.float32)
    absmax = np.float32(np.abs(g).max())
    qmax = 2 ** (bits - 1) - 1
    scale = to_scale(np.float64(absmax) / qmax)
    if scale == 0:
        return np.zeros_like(g)
    q = np.clip(np.round((g / scale).astype(np.float32)), -(qmax + 1), qmax)
    return (q.astype(np.float32) * scale).astype(np.float32)

def qdq(w, scheme):
    out = np.empty_like(w)
    g = scheme['granularity']
    if g == 'per-tensor':
        return qdq_group(w.reshape(-1), scheme['bits'], scheme.get('affine', False), scheme.get('scaleBytes') == 2).reshape(w.shape)
    bs = scheme.get('blockSize', k) if g == 'per-block' else k
    for i in range(w.shape[0]):
        for b in range(0, k, bs):
            out[i, b:b + bs] = qdq_group(w[i, b:b + bs], scheme['bits'], scheme.get('affine', False), scheme.get('scaleBytes') == 2)
    return out

schemes = [
    {'bits': 8, 'granularity': 'per-channel'},
    {'bits': 8, 'granularity': 'per-tensor'},
    {'bits': 4, 'granularity': 'per-block', 'blockSize': 32},
    {'bits': 4, 'granularity': 'per-block', 'blockSize': 32, 'scaleBytes': 2},
    {'bits': 3, 'granularity': 'per-block', 'blockSize': 16, 'affine': True},
    {'bits': 2, 'granularity': 'per-block', 'blockSize': 32},
    {'bits': 4, 'granularity': 'per-channel', 'affine': True, 'scaleBytes': 2},
    {'bits': 5, 'granularity': 'per-block', 'blockSize': 24},
]
cases = []
for s in schemes:
    e = (w.astype(np.float64) - qdq(w, s).astype(np.float64)) ** 2
    cases.append({'scheme': s, 'error': float(e.sum()), 'weightedError': float((e * energy.astype(np.float64)).sum())})
json.dump({'n': n, 'k': k, 'weights': [float(x) for x in w.reshape(-1)], 'energy': [float(x) for x in energy], 'cases': cases},
          open('test/__fixtures__/weight-error.json', 'w'), indent=1)
print(json.dumps(cases, indent=1))
