import { erf } from '../erf';
import type { GeluErfF32Args, LayerNormF32Args, SoftmaxF32Args } from '../kernel-backend';

const fround = Math.fround;

/** Reference Softmax over rows: max-subtracted, one Math.exp per element, the sum accumulated in float64. */
export function softmaxF32Js(args: SoftmaxF32Args): void {
  const { rows, dim, x, out } = args;
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let mx = -Infinity;
    for (let k = 0; k < dim; k++) {
      const v = x[base + k];
      if (v > mx) mx = v;
    }
    let sum = 0;
    // One exp per element: keep the exponentials in the output row, then scale it.
    for (let k = 0; k < dim; k++) {
      const e = Math.exp(x[base + k] - mx);
      out[base + k] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let k = 0; k < dim; k++) out[base + k] *= inv;
  }
}

/** Reference Gelu chain: `f32(f32(x · f32(f32(erf(f32(x / c1))) + c2)) · c3)`, erf in float64. */
export function geluErfF32Js(args: GeluErfF32Args): void {
  const { x, out } = args;
  const c1 = fround(args.divisor);
  const c2 = fround(args.addend);
  const c3 = fround(args.scale);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = fround(v * fround(fround(erf(fround(v / c1))) + c2)) * c3;
  }
}

/** Reference LayerNormalization over rows: mean and biased variance in float64, then `(x − mean) · inv · scale + bias`. */
export function layerNormF32Js(args: LayerNormF32Args): void {
  const { rows, dim, x, scale, bias, epsilon, out } = args;
  const s1 = scale.length === 1;
  const b1 = bias !== undefined && bias.length === 1;
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let sum = 0;
    for (let j = 0; j < dim; j++) sum += x[base + j];
    const mean = sum / dim;
    let sq = 0;
    for (let j = 0; j < dim; j++) {
      const d = x[base + j] - mean;
      sq += d * d;
    }
    const is = 1 / Math.sqrt(sq / dim + epsilon);
    for (let j = 0; j < dim; j++) {
      const y = (x[base + j] - mean) * is * scale[s1 ? 0 : j];
      out[base + j] = bias ? y + bias[b1 ? 0 : j] : y;
    }
  }
}
