export type { Granularity, QuantScheme, Candidate, LayerSensitivity, SensitivityTable } from './sensitivity-table';
export type { Budget, BytesBudget, RatioBudget, BitsBudget, LatencyBudget, ResolvedBudget } from './budget';
export type { Plan, PlanPrediction } from './plan';
export { BudgetError } from './budget-error';
export { PlanError } from './plan-error';
export { SensitivityTableError } from './sensitivity-table-error';
export { candidateBytes, type CandidateBytesOptions } from './candidate-bytes';
export { validateTable } from './validate-table';
export { parseBudget } from './parse-budget';
export { resolveBudget } from './resolve-budget';
export { formatBytes } from './format-bytes';
export { allocate } from './allocate';
export { paretoFrontier, type ParetoFrontierOptions } from './pareto-frontier';
export { createPlan } from './create-plan';
export { validatePlan, type PlanCheck } from './validate-plan';
export { spearman } from './spearman';
export { weightQuantizationError } from './weight-quantization-error';
export {
  DEFAULT_CANDIDATE_SCHEMES,
  SEARCH_CANDIDATE_SCHEMES,
  GPTQ_SEARCH_CANDIDATE_SCHEMES,
  FLOAT_CANDIDATE_ID,
  toQuantizerSettings,
  type CandidateScheme,
} from './candidate-schemes';
export { outputDamage, type DamageMetric } from './output-damage';
export {
  measureSensitivity,
  type MeasureSensitivityOptions,
  type SensitivityCache,
  type SensitivityCost,
  type SensitivityResult,
} from './measure-sensitivity';
export { applyPlan, type ApplyPlanOptions } from './apply-plan';
export { clipWeight, type ClipWeightOptions, type ClippedWeight } from './clip-weight';
export {
  allocateMeasured,
  type AllocateMeasuredOptions,
  type AllocateMeasuredResult,
  type MeasuredPlan,
} from './allocate-measured';
export { measureLatency, type MeasureLatencyOptions, type LatencyResult } from './measure-latency';
