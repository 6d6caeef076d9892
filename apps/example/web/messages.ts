// Messages between the page and the quantization worker.
import type { ExperimentSummary } from './summary';

export type ToWorker =
  | { type: 'start'; dataUrl: string }
  | { type: 'predict'; pixels: Float32Array }
  | { type: 'inspect'; name: string; bytes: ArrayBuffer };

export interface Prediction {
  model: string;
  digit: number;
  confidence: number;
}

export type FromWorker =
  | { type: 'progress'; stage: string; fraction: number }
  | { type: 'done'; summary: ExperimentSummary }
  | { type: 'predictions'; predictions: Prediction[] }
  | { type: 'inspected'; text: string }
  | { type: 'error'; message: string };
