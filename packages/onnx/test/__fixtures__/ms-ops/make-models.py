"""Builds the one-node com.microsoft models of this folder and their inputs (test_data_set_0/input_N.pb).

Run with /usr/bin/python3 (onnx 1.12, numpy); then `node record-outputs.mjs` records onnxruntime-node's outputs as
test_data_set_0/output_N.pb. Inputs are seeded; integer-op inputs stay where onnxruntime's u8 x s8 kernels are exact.
"""
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(21)
F = TensorProto.FLOAT


def f32(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def case(name, op, inputs, outputs, attrs=None, initializers=None):
    """inputs: list of (name, array or None for an omitted optional input); outputs: names ('' = omitted)."""
    d = os.path.join(HERE, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, 'test_data_set_0'))
    node_inputs = [n if a is not None else '' for n, a in inputs]
    while node_inputs and node_inputs[-1] == '':
        node_inputs.pop()
    node = helper.make_node(op, node_inputs, outputs, domain='com.microsoft', **(attrs or {}))
    inits = initializers or {}
    g_inputs = []
    for n, a in inputs:
        if a is None or n in inits:
            continue
        g_inputs.append(helper.make_tensor_value_info(n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], list(a.shape)))
    g_outputs = [helper.make_empty_tensor_value_info(o) for o in outputs if o]
    graph = helper.make_graph([node], name, g_inputs, g_outputs, [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17), helper.make_opsetid('com.microsoft', 1)])
    model.ir_version = 8
    onnx.save(model, os.path.join(d, 'model.onnx'))
    i = 0
    for n, a in inputs:
        if a is None or n in inits:
            continue
        t = numpy_helper.from_array(a, n)
        with open(os.path.join(d, 'test_data_set_0', f'input_{i}.pb'), 'wb') as fh:
            fh.write(t.SerializeToString())
        i += 1


# Activations
x = f32(2, 3, 8, lo=-3, hi=3)
b8 = f32(8)
case('ms_gelu', 'Gelu', [('X', x)], ['Y'])
case('ms_bias_gelu', 'BiasGelu', [('A', x), ('B', b8)], ['C'])
case('ms_fast_gelu', 'FastGelu', [('X', x)], ['Y'])
case('ms_fast_gelu_bias', 'FastGelu', [('X', x), ('bias', b8)], ['Y'])
case('ms_quick_gelu', 'QuickGelu', [('X', x)], ['Y'], {'alpha': 1.5})
# BiasAdd has no CPU kernel in onnxruntime: its test checks X + bias + skip exactly instead.

# Layer normalizations
h = 16
xin = f32(2, 5, h, lo=-2, hi=2)
case('ms_skip_layer_norm', 'SkipLayerNormalization',
     [('input', xin), ('skip', f32(2, 5, h)), ('gamma', f32(h)), ('beta', f32(h)), ('bias', f32(h))],
     ['output', 'mean', 'inv_std_var', 'input_skip_bias_sum'], {'epsilon': 1e-5})
case('ms_skip_layer_norm_bcast_skip', 'SkipLayerNormalization',
     [('input', xin), ('skip', f32(5, h)), ('gamma', f32(h))], ['output'], {'epsilon': 1e-5})
case('ms_skip_simplified_layer_norm', 'SkipSimplifiedLayerNormalization',
     [('input', xin), ('skip', f32(2, 5, h)), ('gamma', f32(h)), ('bias', f32(h))],
     ['output', '', 'inv_std_var', 'input_skip_bias_sum'], {'epsilon': 1e-6})
ids = rng.integers(0, 30, size=(2, 6)).astype(np.int32)
seg = rng.integers(0, 2, size=(2, 6)).astype(np.int32)
mask = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], dtype=np.int32)
case('ms_embed_layer_norm', 'EmbedLayerNormalization',
     [('input_ids', ids), ('segment_ids', seg), ('word_embedding', f32(30, h)), ('position_embedding', f32(8, h)),
      ('segment_embedding', f32(2, h)), ('gamma', f32(h)), ('beta', f32(h)), ('mask', mask)],
     ['output', 'mask_index', 'embedding_sum'], {'epsilon': 1e-5})

# GatherBlockQuantized: uint8 data, 4-bit packed and 8-bit, with and without zero points
tab4 = rng.integers(0, 256, size=(10, 32), dtype=np.uint8)  # 10 rows of 64 4-bit values
sc4 = f32(10, 4, lo=0.01, hi=0.1)  # block 16
zp4 = rng.integers(0, 256, size=(10, 2), dtype=np.uint8)  # 4 zero points per row, packed
gidx = np.array([[3, 0, 9], [1, 1, 7]], dtype=np.int64)
case('ms_gather_block_quantized_4bit', 'GatherBlockQuantized', [('data', tab4), ('indices', gidx), ('scales', sc4), ('zero_points', zp4)],
     ['output'], {'bits': 4, 'block_size': 16, 'gather_axis': 0, 'quantize_axis': 1})
case('ms_gather_block_quantized_4bit_nozp', 'GatherBlockQuantized', [('data', tab4), ('indices', gidx), ('scales', sc4)],
     ['output'], {'bits': 4, 'block_size': 16})
tab8 = rng.integers(0, 256, size=(10, 32), dtype=np.uint8)
sc8 = f32(10, 2, lo=0.01, hi=0.1)
zp8 = rng.integers(0, 256, size=(10, 2), dtype=np.uint8)
case('ms_gather_block_quantized_8bit', 'GatherBlockQuantized', [('data', tab8), ('indices', gidx), ('scales', sc8), ('zero_points', zp8)],
     ['output'], {'bits': 8, 'block_size': 16})

# RotaryEmbedding (com.microsoft order: input, position_ids, cos_cache, sin_cache)
ang = rng.uniform(0, 6.28, size=(16, 4)).astype(np.float32)
cos, sin = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
case('ms_rotary_embedding_3d', 'RotaryEmbedding', [('input', f32(2, 3, 16)), ('position_ids', np.array([[0, 1, 2], [5, 6, 7]], dtype=np.int64)), ('cos_cache', cos), ('sin_cache', sin)],
     ['output'], {'num_heads': 2})
case('ms_rotary_embedding_interleaved_offset', 'RotaryEmbedding', [('input', f32(2, 3, 16)), ('position_ids', np.array([4], dtype=np.int64)), ('cos_cache', cos), ('sin_cache', sin)],
     ['output'], {'num_heads': 2, 'interleaved': 1})
case('ms_rotary_embedding_4d_partial', 'RotaryEmbedding', [('input', f32(2, 2, 3, 16)), ('position_ids', np.array([[0, 1, 2], [1, 2, 3]], dtype=np.int64)), ('cos_cache', cos), ('sin_cache', sin)],
     ['output'], {'rotary_embedding_dim': 8, 'num_heads': 2})

# Attention (packed QKV weights)
B, S, H, N = 2, 4, 16, 2
xa = f32(B, S, H)
w = f32(H, 3 * H, lo=-0.5, hi=0.5)
bias = f32(3 * H, lo=-0.2, hi=0.2)
raw = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], dtype=np.int32)
case('ms_attention', 'Attention', [('input', xa), ('weights', w), ('bias', bias)], ['output'], {'num_heads': N}, {'weights': w, 'bias': bias})
case('ms_attention_raw_mask', 'Attention', [('input', xa), ('weights', w), ('bias', bias), ('mask_index', raw)], ['output'], {'num_heads': N}, {'weights': w, 'bias': bias})
case('ms_attention_mask_lengths', 'Attention', [('input', xa), ('weights', w), ('bias', bias), ('mask_index', np.array([3, 2], dtype=np.int32))], ['output'], {'num_heads': N}, {'weights': w, 'bias': bias})
past = f32(2, B, N, 3, H // N)
case('ms_attention_past_unidirectional', 'Attention', [('input', xa), ('weights', w), ('bias', bias), ('mask_index', None), ('past', past)],
     ['output', 'present'], {'num_heads': N, 'unidirectional': 1}, {'weights': w, 'bias': bias})
wq = f32(H, 16 + 16 + 8, lo=-0.5, hi=0.5)
bq = f32(40, lo=-0.2, hi=0.2)
case('ms_attention_qkv_sizes_bias_scale', 'Attention', [('input', xa), ('weights', wq), ('bias', bq), ('mask_index', None), ('past', None), ('attention_bias', f32(1, N, S, S))],
     ['output'], {'num_heads': N, 'qkv_hidden_sizes': [16, 16, 8], 'scale': 0.3}, {'weights': wq, 'bias': bq})

# MultiHeadAttention
q = f32(B, S, H)
k = f32(B, 5, H)
v = f32(B, 5, 8)
case('ms_multi_head_attention_cross', 'MultiHeadAttention', [('query', q), ('key', k), ('value', v), ('bias', f32(16 + 16 + 8)), ('key_padding_mask', np.array([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], dtype=np.int32))],
     ['output'], {'num_heads': N})
case('ms_multi_head_attention_past', 'MultiHeadAttention', [('query', q), ('key', f32(B, S, H)), ('value', f32(B, S, H)), ('bias', None), ('key_padding_mask', None), ('attention_bias', f32(B, 1, S, 3 + S)),
     ('past_key', f32(B, N, 3, 8)), ('past_value', f32(B, N, 3, 8))], ['output', 'present_key', 'present_value'], {'num_heads': N, 'scale': 0.25})
case('ms_multi_head_attention_4d_kv', 'MultiHeadAttention', [('query', q), ('key', f32(B, N, 5, 8)), ('value', f32(B, N, 5, 8))], ['output'], {'num_heads': N})

# GroupQueryAttention: prompt, then one decoding step with a KV cache and rotary
N, KV, HS = 4, 2, 16
S = 3
gq = f32(B, S, N * HS)
gk = f32(B, S, KV * HS)
gv = f32(B, S, KV * HS)
ang = rng.uniform(0, 6.28, size=(16, HS // 2)).astype(np.float32)
gcos, gsin = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
case('ms_group_query_attention_prompt', 'GroupQueryAttention',
     [('query', gq), ('key', gk), ('value', gv), ('past_key', None), ('past_value', None),
      ('seqlens_k', np.array([S - 1, S - 1], dtype=np.int32)), ('total_sequence_length', np.array(S, dtype=np.int32))],
     ['output', 'present_key', 'present_value'], {'num_heads': N, 'kv_num_heads': KV})
pk = f32(B, KV, 5, HS)
pv = f32(B, KV, 5, HS)
case('ms_group_query_attention_decode_rotary', 'GroupQueryAttention',
     [('query', f32(B, 1, N * HS)), ('key', f32(B, 1, KV * HS)), ('value', f32(B, 1, KV * HS)), ('past_key', pk), ('past_value', pv),
      ('seqlens_k', np.array([5, 5], dtype=np.int32)), ('total_sequence_length', np.array(6, dtype=np.int32)), ('cos_cache', gcos), ('sin_cache', gsin)],
     ['output', 'present_key', 'present_value'], {'num_heads': N, 'kv_num_heads': KV, 'do_rotary': 1})
case('ms_group_query_attention_packed_softcap_window', 'GroupQueryAttention',
     [('query', f32(B, 5, (N + 2 * KV) * HS)), ('key', None), ('value', None), ('past_key', None), ('past_value', None),
      ('seqlens_k', np.array([4, 4], dtype=np.int32)), ('total_sequence_length', np.array(5, dtype=np.int32)), ('cos_cache', gcos), ('sin_cache', gsin)],
     ['output', 'present_key', 'present_value'], {'num_heads': N, 'kv_num_heads': KV, 'do_rotary': 1, 'rotary_interleaved': 1, 'softcap': 2.0, 'local_window_size': 3})

# QAttention: uint8 input in [0, 127] and int8 weights in [-127, 127], so that onnxruntime's u8 x s8 pair sums
# cannot leave int16 (its non-VNNI kernel saturates there); the integer product is then exact on both sides.
B, S, H, N = 2, 4, 16, 2
qx = rng.integers(0, 128, size=(B, S, H), dtype=np.uint8)
qw = rng.integers(-127, 128, size=(H, 3 * H), dtype=np.int8)
qb = f32(3 * H, lo=-0.2, hi=0.2)
case('ms_qattention', 'QAttention',
     [('input', qx), ('weight', qw), ('bias', qb), ('input_scale', np.array(0.01, dtype=np.float32)), ('weight_scale', np.array(0.002, dtype=np.float32)),
      ('mask_index', raw), ('input_zero_point', np.array(60, dtype=np.uint8)), ('weight_zero_point', np.array(0, dtype=np.int8))],
     ['output'], {'num_heads': N}, {'weight': qw, 'bias': qb})
case('ms_qattention_past_unidirectional', 'QAttention',
     [('input', qx), ('weight', qw), ('bias', qb), ('input_scale', np.array(0.01, dtype=np.float32)), ('weight_scale', np.array(0.002, dtype=np.float32)),
      ('mask_index', None), ('input_zero_point', np.array(64, dtype=np.uint8)), ('weight_zero_point', None), ('past', f32(2, B, N, 2, H // N))],
     ['output', 'present'], {'num_heads': N, 'unidirectional': 1}, {'weight': qw, 'bias': qb})

# GroupQueryAttention with ragged batches: a right-padded prompt (seqlens 3 and 5 of 5), and a decoding step whose
# past buffer (6) is longer than the used past (3 and 5 tokens).
N, KV, HS = 4, 2, 16
case('ms_group_query_attention_padded_prompt', 'GroupQueryAttention',
     [('query', f32(2, 5, N * HS)), ('key', f32(2, 5, KV * HS)), ('value', f32(2, 5, KV * HS)), ('past_key', None), ('past_value', None),
      ('seqlens_k', np.array([2, 4], dtype=np.int32)), ('total_sequence_length', np.array(5, dtype=np.int32))],
     ['output', 'present_key', 'present_value'], {'num_heads': N, 'kv_num_heads': KV})
case('ms_group_query_attention_ragged_decode', 'GroupQueryAttention',
     [('query', f32(2, 1, N * HS)), ('key', f32(2, 1, KV * HS)), ('value', f32(2, 1, KV * HS)), ('past_key', f32(2, KV, 6, HS)), ('past_value', f32(2, KV, 6, HS)),
      ('seqlens_k', np.array([3, 5], dtype=np.int32)), ('total_sequence_length', np.array(6, dtype=np.int32))],
     ['output', 'present_key', 'present_value'], {'num_heads': N, 'kv_num_heads': KV})

# FusedMatMul (onnxruntime's optimizer writes it for attention's Q.K^T / sqrt(d)): batched, transposes, alpha.
case('ms_fused_mat_mul_trans_b_alpha', 'FusedMatMul', [('A', f32(2, 3, 4, 8)), ('B', f32(2, 3, 5, 8))], ['Y'], {'transB': 1, 'alpha': 0.125})
case('ms_fused_mat_mul_trans_a_bcast', 'FusedMatMul', [('A', f32(2, 8, 4)), ('B', f32(8, 6))], ['Y'], {'transA': 1})
wfm = f32(6, 8)
case('ms_fused_mat_mul_const_trans_b', 'FusedMatMul', [('A', f32(3, 8)), ('B', wfm)], ['Y'], {'transB': 1, 'alpha': 2.0}, {'B': wfm})


def bert_layer():
    """One BERT layer in the fused form of onnxruntime's transformer optimizer (what transformers.js models hold):
    EmbedLayerNormalization -> Attention -> MatMul -> SkipLayerNormalization -> MatMul -> BiasGelu -> MatMul ->
    SkipLayerNormalization, with seeded weights as initializers."""
    H, N, I, V, P = 32, 4, 64, 40, 16
    d = os.path.join(HERE, 'ms_bert_fused_layer')
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, 'test_data_set_0'))
    w = {
        'word': f32(V, H), 'pos': f32(P, H), 'seg': f32(2, H), 'g0': f32(H, lo=0.5, hi=1.5), 'b0': f32(H, lo=-0.1, hi=0.1),
        'Wqkv': f32(H, 3 * H, lo=-0.3, hi=0.3), 'bqkv': f32(3 * H, lo=-0.1, hi=0.1), 'Wo': f32(H, H, lo=-0.3, hi=0.3), 'bo': f32(H, lo=-0.1, hi=0.1),
        'g1': f32(H, lo=0.5, hi=1.5), 'b1': f32(H, lo=-0.1, hi=0.1), 'W1': f32(H, I, lo=-0.3, hi=0.3), 'c1': f32(I, lo=-0.1, hi=0.1),
        'W2': f32(I, H, lo=-0.2, hi=0.2), 'c2': f32(H, lo=-0.1, hi=0.1), 'g2': f32(H, lo=0.5, hi=1.5), 'b2': f32(H, lo=-0.1, hi=0.1),
    }
    mk = lambda op, i, o, name, **a: helper.make_node(op, i, o, name=name, domain='com.microsoft' if op not in ('MatMul',) else '', **a)
    nodes = [
        mk('EmbedLayerNormalization', ['input_ids', 'segment_ids', 'word', 'pos', 'seg', 'g0', 'b0', 'mask'], ['emb', 'mask_index'], 'embed', epsilon=1e-12),
        mk('Attention', ['emb', 'Wqkv', 'bqkv', 'mask_index'], ['att'], 'attention', num_heads=N),
        mk('MatMul', ['att', 'Wo'], ['proj'], 'attention_output'),
        mk('SkipLayerNormalization', ['proj', 'emb', 'g1', 'b1', 'bo'], ['x1'], 'skip_ln1', epsilon=1e-12),
        mk('MatMul', ['x1', 'W1'], ['h'], 'ffn_in'),
        mk('BiasGelu', ['h', 'c1'], ['g'], 'gelu'),
        mk('MatMul', ['g', 'W2'], ['f'], 'ffn_out'),
        mk('SkipLayerNormalization', ['f', 'x1', 'g2', 'b2', 'c2'], ['y'], 'skip_ln2', epsilon=1e-12),
    ]
    B, S = 2, 7
    feeds = {'input_ids': rng.integers(0, V, size=(B, S)).astype(np.int32), 'segment_ids': (np.arange(S)[None, :] >= 4).astype(np.int32).repeat(B, 0),
             'mask': np.array([[1, 1, 1, 1, 1, 0, 0], [1] * 7], dtype=np.int32)}
    graph = helper.make_graph(nodes, 'bert_fused_layer', [helper.make_tensor_value_info(k, TensorProto.INT32, ['batch', 'sequence']) for k in feeds],
                              [helper.make_tensor_value_info('y', F, ['batch', 'sequence', H])], [numpy_helper.from_array(v, k) for k, v in w.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 14), helper.make_opsetid('com.microsoft', 1)])
    model.ir_version = 8
    onnx.save(model, os.path.join(d, 'model.onnx'))
    for i, (k, v) in enumerate(feeds.items()):
        with open(os.path.join(d, 'test_data_set_0', f'input_{i}.pb'), 'wb') as fh:
            fh.write(numpy_helper.from_array(v, k).SerializeToString())


bert_layer()
