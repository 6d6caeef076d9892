// Linear-algebra ops: Det (LU with partial pivoting) and Einsum (any equation: ellipsis, repeated labels, implicit
// output). Both compute in float64 and round once to the output dtype.
import { DTypeError, ShapeError, Tensor, ValueError, dtypeInfo, formatShape } from '@qint/tensor';
import type { Dim } from '../ir';
import { onnxOp } from './define-op';
import type { OpDefinition } from './op-definition';
import { fromFloats, fromNumbers, need } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/**
 * Det: the determinant of each square matrix in the last two dims.
 * @param x - a float tensor `[..., M, M]`
 * @returns a tensor of shape `[...]`
 * @throws {@link ShapeError} when the last two dims are not square, {@link DTypeError} for non-float input
 */
export function det(x: Tensor): Tensor {
  if (!dtypeInfo(x.dtype).isFloat) throw new DTypeError(`Det: input X must be a float tensor, got ${x.dtype}`);
  const r = x.rank;
  if (r < 2 || x.shape[r - 1] !== x.shape[r - 2]) throw new ShapeError(`Det: input must be [..., M, M], got ${formatShape(x.shape)}`);
  const m = x.shape[r - 1];
  const v = x.values();
  const count = x.size / (m * m) || 0;
  const out = new Float64Array(r === 2 ? 1 : count);
  const a = new Float64Array(m * m);
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < m * m; i++) a[i] = v[b * m * m + i];
    let d = 1;
    for (let c = 0; c < m; c++) {
      let p = c;
      for (let i = c + 1; i < m; i++) if (Math.abs(a[i * m + c]) > Math.abs(a[p * m + c])) p = i;
      if (a[p * m + c] === 0) {
        d = 0;
        break;
      }
      if (p !== c) {
        for (let j = 0; j < m; j++) [a[c * m + j], a[p * m + j]] = [a[p * m + j], a[c * m + j]];
        d = -d;
      }
      const piv = a[c * m + c];
      d *= piv;
      for (let i = c + 1; i < m; i++) {
        const f = a[i * m + c] / piv;
        if (f !== 0) for (let j = c; j < m; j++) a[i * m + j] -= f * a[c * m + j];
      }
    }
    out[b] = d;
  }
  return fromFloats(x.dtype, x.shape.slice(0, r - 2), out);
}

/** A parsed einsum equation: labels per operand (ellipsis dims as negative numbers) and of the output. */
interface Equation {
  readonly inputs: number[][];
  readonly output: number[];
}

const ELLIPSIS = -1;

function parseTerm(term: string, what: string): number[] {
  const labels: number[] = [];
  const t = term.trim();
  for (let i = 0; i < t.length; i++) {
    if (t.startsWith('...', i)) {
      if (labels.includes(ELLIPSIS)) throw new ValueError(`Einsum: ${what} "${t}" has two ellipses`);
      labels.push(ELLIPSIS);
      i += 2;
    } else if (/[A-Za-z]/.test(t[i])) labels.push(t.charCodeAt(i));
    else if (t[i] !== ' ') throw new ValueError(`Einsum: ${what} "${t}" has an invalid character "${t[i]}"`);
  }
  return labels;
}

/**
 * Parses an einsum equation (`"ij,jk->ik"`, `"...ii->...i"`, implicit `"ij,jk"`).
 * @throws {@link ValueError} for a malformed equation
 */
export function parseEinsum(equation: string, operands: number): Equation {
  const [lhs, rhs] = equation.split('->');
  const terms = lhs.split(',');
  if (terms.length !== operands) throw new ValueError(`Einsum: equation "${equation}" names ${terms.length} operands, the node has ${operands}`);
  const inputs = terms.map((t, i) => parseTerm(t, `operand ${i}`));
  let output: number[];
  if (rhs !== undefined) {
    output = parseTerm(rhs, 'output');
    for (const l of output) if (l !== ELLIPSIS && !inputs.some((ls) => ls.includes(l))) throw new ValueError(`Einsum: output label "${String.fromCharCode(l)}" is not in any operand`);
  } else {
    const counts = new Map<number, number>();
    for (const ls of inputs) for (const l of ls) if (l !== ELLIPSIS) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...counts].filter(([, c]) => c === 1).map(([l]) => l).sort((a, b) => a - b);
    if (inputs.some((ls) => ls.includes(ELLIPSIS))) output.unshift(ELLIPSIS);
  }
  return { inputs, output };
}

/**
 * Einsum: sums the product of the operands over every label not in the output.
 * @param equation - the ONNX `equation` attribute
 * @param xs - the operands (one numeric dtype)
 * @returns the result, in the operands' dtype
 * @throws {@link ShapeError} when a label has two sizes or operands do not have the rank their term gives
 */
export function einsum(equation: string, xs: readonly Tensor[]): Tensor {
  const eq = parseEinsum(equation, xs.length);
  const dtype = xs[0].dtype;
  for (const x of xs) if (x.dtype !== dtype) throw new DTypeError(`Einsum: operands must share one dtype, got ${xs.map((t) => t.dtype).join(', ')}`);
  if (dtype === 'bool') throw new DTypeError('Einsum: bool operands are not supported');
  // Expand each ellipsis into broadcast dims labelled -1, -2, … (right-aligned, as numpy does).
  let ellRank = 0;
  eq.inputs.forEach((ls, i) => {
    const explicit = ls.filter((l) => l !== ELLIPSIS).length;
    if (ls.includes(ELLIPSIS)) ellRank = Math.max(ellRank, xs[i].rank - explicit);
    else if (xs[i].rank !== explicit) throw new ShapeError(`Einsum: operand ${i} has shape ${formatShape(xs[i].shape)}, its term names ${explicit} dims`);
  });
  const expand = (ls: number[], rank: number): number[] => {
    const k = ls.indexOf(ELLIPSIS);
    if (k < 0) return ls;
    const n = rank - (ls.length - 1);
    const ell = Array.from({ length: n }, (_, j) => -(ellRank - n + j) - 2);
    return [...ls.slice(0, k), ...ell, ...ls.slice(k + 1)];
  };
  const labels = eq.inputs.map((ls, i) => expand(ls, xs[i].rank));
  const output = expand(eq.output, eq.output.includes(ELLIPSIS) ? eq.output.length - 1 + ellRank : eq.output.length);
  const size = new Map<number, number>();
  labels.forEach((ls, i) =>
    ls.forEach((l, d) => {
      const n = xs[i].shape[d];
      const known = size.get(l);
      if (known === undefined || known === 1) size.set(l, n);
      else if (n !== known && !(l < ELLIPSIS && n === 1)) throw new ShapeError(`Einsum: label ${l < 0 ? 'in ...' : `"${String.fromCharCode(l)}"`} has sizes ${known} and ${n}`);
    }),
  );
  const summed = [...size.keys()].filter((l) => !output.includes(l));
  const loop = [...output, ...summed];
  const dims = loop.map((l) => size.get(l)!);
  // Per operand, the stride of each loop label (summed over repeated labels: a diagonal; 0 where broadcast).
  const strides = labels.map((ls, i) => {
    const st = new Array<number>(loop.length).fill(0);
    let s = 1;
    for (let d = ls.length - 1; d >= 0; d--) {
      if (xs[i].shape[d] !== 1) st[loop.indexOf(ls[d])] += s;
      s *= xs[i].shape[d];
    }
    return st;
  });
  const vals = xs.map((x) => x.values());
  const outSize = output.reduce((p, l) => p * size.get(l)!, 1);
  const inner = summed.reduce((p, l) => p * size.get(l)!, 1);
  const out = new Float64Array(outSize);
  const coord = new Array<number>(loop.length).fill(0);
  const at = new Array<number>(xs.length).fill(0);
  if (inner > 0) {
    for (let o = 0; o < outSize; o++) {
      let acc = 0;
      for (let s = 0; s < inner; s++) {
        let p = 1;
        for (let i = 0; i < xs.length; i++) p *= vals[i][at[i]];
        acc += p;
        for (let d = loop.length - 1; d >= 0; d--) {
          for (let i = 0; i < xs.length; i++) at[i] += strides[i][d];
          if (++coord[d] < dims[d]) break;
          for (let i = 0; i < xs.length; i++) at[i] -= strides[i][d] * dims[d];
          coord[d] = 0;
        }
      }
      out[o] = acc;
    }
  }
  const shape = output.map((l) => size.get(l)!);
  return dtypeInfo(dtype).isFloat ? fromFloats(dtype, shape, out) : fromNumbers(dtype, shape, out);
}

/** The linear-algebra op definitions. */
export const linalgOps: readonly OpDefinition[] = [
  onnxOp('Det', 11, () => (inputs) => [det(need(inputs, 0, 'X'))], (_ctx, [x]) => [{ dtype: x?.dtype, shape: x?.shape?.slice(0, -2) }]),
  onnxOp(
    'Einsum',
    12,
    (ctx) => {
      const equation = ctx.attrs.string('equation') ?? ctx.attrs.fail('attribute "equation" is required');
      try {
        parseEinsum(equation, ctx.node.inputs.length);
      } catch (e) {
        throw new UnsupportedVariant(`equation "${equation}" is not valid: ${(e as Error).message}`);
      }
      return (inputs) => [einsum(equation, inputs.map((t, i) => need(inputs, i, `Inputs[${i}]`)) as Tensor[])];
    },
    (ctx, inputs) => {
      const equation = ctx.attrs.string('equation', '');
      const eq = parseEinsum(equation, inputs.length);
      if (eq.output.includes(ELLIPSIS)) return [{ dtype: inputs[0]?.dtype }];
      const shape: Dim[] = eq.output.map((l) => {
        let found: Dim;
        for (let i = 0; i < inputs.length; i++) {
          const ls = eq.inputs[i];
          const s = inputs[i]?.shape;
          if (!s || ls.includes(ELLIPSIS)) continue;
          const d = ls.indexOf(l);
          if (d >= 0 && (found === undefined || found === 1)) found = s[d];
        }
        return found;
      });
      return [{ dtype: inputs[0]?.dtype, shape }];
    },
  ),
];
