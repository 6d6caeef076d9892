import type { ExperimentResult } from '../src/experiment';
import { describePlan } from '../src/experiment';

/** The part of an experiment's result that crosses from the worker to the page (no models). */
export interface ExperimentSummary {
  variants: ExperimentResult['variants'];
  frontier: ExperimentResult['frontier'];
  spearman: number;
  plans: Record<string, string>;
  evalSamples: number;
  seconds: number;
}

/** Strips the models (they stay in the worker) and describes the plans. */
export function summarize(result: ExperimentResult): ExperimentSummary {
  return {
    variants: result.variants,
    frontier: result.frontier,
    spearman: result.spearman,
    plans: Object.fromEntries(Object.entries(result.plans).map(([k, p]) => [k, describePlan(p)])),
    evalSamples: result.evalSamples,
    seconds: result.seconds,
  };
}
