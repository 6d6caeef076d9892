import type { BinaryF32Args } from '../kernel-backend';

/** Reference float32 arithmetic: the shorter operand repeats in blocks of its length (see `BinaryF32Args`). */
export function binaryF32Js(args: BinaryF32Args): void {
  const { op, a, b, out } = args;
  const n = out.length;
  const na = a.length;
  const nb = b.length;
  const block = Math.min(na, nb);
  const aRep = na < n;
  const bRep = nb < n;
  for (let base = 0; base < n; base += block) {
    const oa = aRep ? 0 : base;
    const ob = bRep ? 0 : base;
    switch (op) {
      case 'add':
        for (let i = 0; i < block; i++) out[base + i] = a[oa + i] + b[ob + i];
        break;
      case 'sub':
        for (let i = 0; i < block; i++) out[base + i] = a[oa + i] - b[ob + i];
        break;
      case 'mul':
        for (let i = 0; i < block; i++) out[base + i] = a[oa + i] * b[ob + i];
        break;
      default:
        for (let i = 0; i < block; i++) out[base + i] = a[oa + i] / b[ob + i];
    }
  }
}
