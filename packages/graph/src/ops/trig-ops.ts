// Trigonometric and hyperbolic functions missing from unary-ops.ts (Sin, Cos, Tanh live there): float inputs,
// computed in float64 and rounded to the input's dtype (float32, float16 via the session's widening, float64).
import { onnxOp } from './define-op';
import { sameAs } from './infer-helpers';
import type { OpDefinition } from './op-definition';
import { need } from './tensor-utils';
import { mapFloat } from './unary-ops';

function trig(opType: string, since: number, f: (x: number) => number): OpDefinition {
  return onnxOp(opType, since, () => (inputs) => [mapFloat(need(inputs, 0, 'input'), f, opType)], sameAs(0));
}

/** Tan, Asin, Acos, Atan (opset 7) and Sinh, Cosh, Asinh, Acosh, Atanh (opset 9). */
export const trigOps: readonly OpDefinition[] = [
  trig('Tan', 7, Math.tan),
  trig('Asin', 7, Math.asin),
  trig('Acos', 7, Math.acos),
  trig('Atan', 7, Math.atan),
  trig('Sinh', 9, Math.sinh),
  trig('Cosh', 9, Math.cosh),
  trig('Asinh', 9, Math.asinh),
  trig('Acosh', 9, Math.acosh),
  trig('Atanh', 9, Math.atanh),
];
