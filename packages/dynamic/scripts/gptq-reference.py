#!/usr/bin/env python3
"""Independent reference for @qint/dynamic's gptqRound: GPTQ (Frantar et al. 2022, Algorithm 1) in numpy, float64.

Writes test/__fixtures__/gptq-reference.json: random problems (float32 weights W [n, k], the Gram matrix H = XᵀX of
random inputs X with some dead columns, float32 scales and zero points per tensor / channel / block) and the integer
values GPTQ gives. The test asserts that gptqRound returns the same integers, bit-exactly.

Conventions shared with the TypeScript (stated, not copied): H is XᵀX (the paper's factor 2 cancels out of the
result); λ = dampening · mean(diag H) over all k inputs, dampening 0.01; dead inputs (H[j, j] = 0) get a unit
diagonal and zero row/column, so they are rounded to nearest and give no feedback; U is the upper Cholesky factor of
(H + λI)⁻¹ (here: numpy's LAPACK Cholesky and inverse, not the TypeScript loops); one weight is rounded as
clamp(round_half_even(float32(w · float32(1/scale))) + zp, lo, hi) for the 'pytorch' convention and
clamp(round_half_even(float32(w / scale)) + zp, lo, hi) for 'onnx'; the error (w − (q − zp)·scale) / U[j, j] is pushed
onto w[t] for t > j by subtracting it times U[j, t]. Problems where any rounding decision lies within 1e-4 of a tie
are rejected (LAPACK and the TypeScript loops agree to ~1e-12, not to the last bit, so near ties could flip).

Usage: python3 scripts/gptq-reference.py  (numpy; deterministic seed)
"""
import json
import os

import numpy as np

MARGIN = 1e-4


def stored_range(bits, weight_type, reduce_range):
    if bits == 8 and weight_type == 'uint8':
        return (0, 127) if reduce_range else (0, 255)
    if bits == 8:
        return (-64, 63) if reduce_range else (-128, 127)
    half = 2 ** (bits - 1)
    return (-half // 2, (half - 1) // 2) if reduce_range else (-half, half - 1)


def quantize_one(x, scale, zp, lo, hi, convention):
    """One weight, as the quantizer rounds it; also returns the distance of the rounded quotient from a tie."""
    if convention == 'pytorch':
        inv = np.float32(1.0 / np.float64(scale))
        t = np.float32(np.float64(x) * np.float64(inv))
    else:
        t = np.float32(np.float64(x) / np.float64(scale))
    frac = abs(float(t) - np.floor(float(t)) - 0.5)
    r = int(np.rint(t)) + zp
    return min(max(r, lo), hi), frac


def gptq(W, H, scales, zps, group_of, lo, hi, convention, damp=0.01):
    n, k = W.shape
    H = H.copy()
    diag = np.diag(H).copy()
    Q = np.zeros((n, k), dtype=np.int64)
    margin = 1.0
    if diag.sum() == 0:
        U = None
        dead = np.ones(k, dtype=bool)
    else:
        lam = damp * diag.mean()
        dead = diag == 0
        H[dead, :] = 0
        H[:, dead] = 0
        H[np.arange(k), np.arange(k)] += lam
        H[dead, dead] = 1
        L = np.linalg.cholesky(H)
        Linv = np.linalg.inv(L)
        Hinv = Linv.T @ Linv
        U = np.linalg.cholesky(Hinv).T
    for r in range(n):
        w = W[r].astype(np.float64).copy()
        for j in range(k):
            g = group_of(r, j)
            q, frac = quantize_one(w[j], scales[g], zps[g], lo, hi, convention)
            margin = min(margin, frac)
            Q[r, j] = q
            if U is None or dead[j]:
                continue
            e = (w[j] - (q - zps[g]) * np.float64(scales[g])) / U[j, j]
            w[j + 1:] -= e * U[j, j + 1:]
    return Q, margin


def make_case(rng, name, n, k, bits, granularity, block_size, symmetric, weight_type, reduce_range, convention, dead_cols):
    lo, hi = stored_range(bits, weight_type, reduce_range)
    shift = 128 if bits == 8 and weight_type == 'uint8' else 0
    for _attempt in range(200):
        W = (rng.standard_normal((n, k)) * 0.1).astype(np.float32)
        rows = 4 * k
        # Correlated inputs: a random mixing of independent ones, plus an offset, with a few dead columns.
        X = rng.standard_normal((rows, k)) @ (np.eye(k) + 0.4 * rng.standard_normal((k, k))) + 0.3
        X[:, dead_cols] = 0
        H = X.T @ X
        if granularity == 'per_tensor':
            groups, group_of = 1, (lambda r, c: 0)
        elif granularity == 'per_channel':
            groups, group_of = n, (lambda r, c: r)
        else:
            per = -(-k // block_size)
            groups, group_of = n * per, (lambda r, c, per=per: r * per + c // block_size)
        lo_g = np.full(groups, np.inf)
        hi_g = np.full(groups, -np.inf)
        for r in range(n):
            for c in range(k):
                g = group_of(r, c)
                lo_g[g] = min(lo_g[g], W[r, c])
                hi_g[g] = max(hi_g[g], W[r, c])
        # Scales near the min-max ones, perturbed so clamping also happens (not the observer's exact values: the
        # reference checks the rounding, which takes scales as given).
        jitter = rng.uniform(0.7, 1.1, groups)
        if symmetric:
            a = np.maximum(np.abs(lo_g), np.abs(hi_g))
            scales = (a * jitter / ((hi - lo) / 2)).astype(np.float32)
            zps = np.full(groups, (lo + hi + 1) // 2 if weight_type == 'uint8' and bits == 8 else 0, dtype=np.int64)
        else:
            scales = ((hi_g - lo_g) * jitter / (hi - lo)).astype(np.float32)
            zps = np.clip(lo - np.rint(lo_g / scales.astype(np.float64)), lo, hi).astype(np.int64)
        Q, margin = gptq(W.astype(np.float64), H, scales, zps, group_of, lo, hi, convention)
        if margin < MARGIN:
            continue
        return {
            'name': name,
            'n': n,
            'k': k,
            'settings': {'bits': bits, 'granularity': granularity, 'blockSize': block_size, 'symmetric': symmetric,
                         'weightType': weight_type, 'reduceRange': reduce_range, 'convention': convention},
            'w': [float(v) for v in W.reshape(-1)],
            'gram': [float(v) for v in H.reshape(-1)],
            'scales': [float(v) for v in scales],
            # Stored (uint8-shifted) zero points and values, as QuantizedWeight holds them.
            'zeroPoints': [int(z) - shift for z in zps],
            'values': [int(v) - shift for v in Q.reshape(-1)],
            'deadInputs': [int(c) for c in dead_cols],
        }
    raise RuntimeError(f'{name}: no problem without near ties in 200 attempts')


def main():
    rng = np.random.default_rng(20261126)
    cases = [
        make_case(rng, 'int3 per channel symmetric, pytorch', 6, 12, 3, 'per_channel', 0, True, 'int8', False, 'pytorch', []),
        make_case(rng, 'int4 per block 8 affine, onnx, dead inputs', 5, 20, 4, 'per_block', 8, False, 'int8', False, 'onnx', [3, 11]),
        make_case(rng, 'int2 per tensor symmetric, pytorch', 4, 9, 2, 'per_tensor', 0, True, 'int8', False, 'pytorch', [0]),
        make_case(rng, 'int8 per channel uint8 affine, pytorch', 4, 16, 8, 'per_channel', 0, False, 'uint8', False, 'pytorch', []),
        make_case(rng, 'int4 per channel symmetric reduce range, onnx', 5, 10, 4, 'per_channel', 0, True, 'int8', True, 'onnx', [9]),
        make_case(rng, 'int8 per channel symmetric uint8 reduce range, onnx', 3, 8, 8, 'per_channel', 0, True, 'uint8', True, 'onnx', []),
        make_case(rng, 'int3 per block 16 symmetric, pytorch', 8, 40, 3, 'per_block', 16, True, 'int8', False, 'pytorch', [5]),
    ]
    out = os.path.join(os.path.dirname(__file__), '..', 'test', '__fixtures__', 'gptq-reference.json')
    with open(out, 'w') as fh:
        json.dump({'generator': 'scripts/gptq-reference.py (numpy %s)' % np.__version__, 'dampening': 0.01, 'cases': cases}, fh)
        fh.write('\n')
    print('wrote', out, len(cases), 'cases')


if __name__ == '__main__':
    main()
