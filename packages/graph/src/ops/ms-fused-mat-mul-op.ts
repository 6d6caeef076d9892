// com.microsoft FusedMatMul, which onnxruntime's graph optimizer writes for MatMul with a transposed operand and/or a
// scalar multiplier (attention's Q·Kᵀ / √d): `Y = alpha · op(A) · op(B)`, op a transpose of the last two dims when
// transA / transB is set, NumPy batch broadcasting as MatMul. A constant 2-D B is transposed and packed once at load.
import { matMul, prepareGemmWeights, type GemmWeights, type KernelBackend } from '@qint/kernels';
import { DTypeError, ShapeError, Tensor } from '@qint/tensor';
import type { Dim } from '../ir';
import { msOp } from './define-op';
import type { InferredValue, OpBuildContext, OpDefinition } from './op-definition';
import { need } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

function lastTwoSwapped(t: Tensor, what: string): Tensor {
  if (t.rank < 2) throw new ShapeError(`${what} must have rank ≥ 2 to be transposed, got [${t.shape.join(', ')}]`);
  const perm = Array.from({ length: t.rank }, (_, i) => i);
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return t.transpose(perm);
}

function fusedMatMul(inputs: readonly (Tensor | undefined)[], alpha: number, transA: boolean, transB: boolean, packed: GemmWeights | undefined, backend: KernelBackend | undefined): Tensor {
  let a = need(inputs, 0, 'A');
  if (a.dtype !== 'float32') throw new DTypeError(`input A must be float32, got ${a.dtype}`);
  if (transA) a = lastTwoSwapped(a, 'A');
  let b: Tensor | GemmWeights;
  if (packed) b = packed;
  else {
    let bt = need(inputs, 1, 'B');
    if (bt.dtype !== 'float32') throw new DTypeError(`input B must be float32, got ${bt.dtype}`);
    if (transB) bt = lastTwoSwapped(bt, 'B');
    b = bt;
  }
  const y = matMul(a, b, backend ? { backend } : undefined);
  if (alpha === 1) return y;
  const d = y.data as Float32Array;
  const al = Math.fround(alpha);
  for (let i = 0; i < d.length; i++) d[i] *= al;
  return y;
}

function infer(ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): InferredValue[] {
  const a = inputs[0]?.shape;
  const b = inputs[1]?.shape;
  if (!a || !b || a.length < 2 || b.length < 2) return [{ dtype: 'float32' }];
  const ta = ctx.attrs.int('transA', 0) === 1;
  const tb = ctx.attrs.int('transB', 0) === 1;
  const m = a[a.length - (ta ? 1 : 2)];
  const n = b[b.length - (tb ? 2 : 1)];
  const ba = a.slice(0, -2);
  const bb = b.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const batch: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = ba[ba.length - rank + i] ?? 1;
    const y = bb[bb.length - rank + i] ?? 1;
    if (x === 1) batch.push(y);
    else if (y === 1 || x === y) batch.push(x);
    else return [{ dtype: 'float32' }];
  }
  return [{ dtype: 'float32', shape: [...batch, m, n] }];
}

/** FusedMatMul. */
export const msFusedMatMulOps: readonly OpDefinition[] = [
  msOp('FusedMatMul', 1, (ctx) => {
    const at = ctx.attrs;
    if (at.int('transBatchA', 0) !== 0 || at.int('transBatchB', 0) !== 0) throw new UnsupportedVariant('transBatchA / transBatchB are not supported');
    const alpha = at.float('alpha', 1);
    const transA = at.int('transA', 0) === 1;
    const transB = at.int('transB', 0) === 1;
    const w = ctx.constant(1);
    const packed = w && w.dtype === 'float32' && w.rank === 2 ? prepareGemmWeights(transB ? w.transpose() : w) : undefined;
    return (inputs) => [fusedMatMul(inputs, alpha, transA, transB, packed, ctx.backend)];
  }, infer),
];
