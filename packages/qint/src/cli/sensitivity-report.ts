import type { QuantizeReport } from '@qint/dynamic';
import type { Plan, SensitivityTable } from '@qint/mixed-precision';
import { renderReport, type ReportLayer } from '../report/render-report';

/** Per-layer rows of a report from a sensitivity table and, optionally, the chosen plan. */
function layerRows(table: SensitivityTable, plans: Record<string, Plan> = {}): ReportLayer[] {
  return table.layers.map((layer) => ({
    name: layer.name,
    weights: layer.weightCount,
    choices: Object.fromEntries(Object.entries(plans).map(([label, plan]) => [label, plan.layers[layer.name] ?? ''])),
    bytes: Object.fromEntries(layer.candidates.map((c) => [c.id, c.bytes])),
    sensitivity: Object.fromEntries(layer.candidates.map((c) => [c.id, c.damage])),
  }));
}

/** The predicted size/damage frontier as a chart series. */
function frontierSeries(frontier: Plan[], chosen?: Plan) {
  return [
    {
      name: 'predicted damage (frontier)',
      points: frontier.map((p) => ({
        bytes: p.predicted.bytes,
        value: p.predicted.damage,
        highlight: chosen !== undefined && p.predicted.bytes === chosen.predicted.bytes && p.predicted.damage === chosen.predicted.damage,
        label: chosen !== undefined && p.predicted.bytes === chosen.predicted.bytes ? 'chosen' : undefined,
      })),
    },
  ];
}

/** What each sensitivity metric's damage number is. */
const DAMAGE_UNITS: Record<string, string> = {
  mse: 'mean squared error of the first output vs float, on the calibration samples',
  'output-mse': 'mean squared error of the first output vs float, on the calibration samples',
  kl: 'KL divergence of the softmax of the first output vs float, in nats',
  top1: 'fraction of calibration samples whose top-1 answer changes',
  'weight-error': 'data-free proxy: squared weight rounding error weighted by the layer (no calibration data given)',
};

/** The HTML report of `qint quantize --report` and `qint sensitivity --report`. */
export function sensitivityReport(input: {
  title: string;
  floatBytes: number;
  quantBytes?: number;
  /** Measured on the data given (accuracy needs labels; latency is timed on the backend). */
  measured?: { float: { accuracy?: number; latencyMs?: Partial<Record<'js' | 'wasm', number>> }; quantized: { accuracy?: number; latencyMs?: Partial<Record<'js' | 'wasm', number>> }; samples?: number; missing: string[] };
  fileBytes?: number;
  report?: QuantizeReport;
  mixed?: { plan: Plan; table: SensitivityTable; frontier: Plan[] };
  table?: SensitivityTable;
}): string {
  const table = input.mixed?.table ?? input.table;
  const variants: { name: string; fileBytes: number; accuracy?: number; latencyMs?: Partial<Record<'js' | 'wasm', number>>; note?: string }[] = [{ name: 'float weights', fileBytes: input.floatBytes, ...(input.measured?.float ?? {}) }];
  if (input.quantBytes !== undefined) variants.push({ name: 'quantized weights', fileBytes: input.quantBytes, ...(input.measured?.quantized ?? {}) });
  const metric = table?.metric ?? 'unknown';
  // Damage is what the sensitivity measured, per layer, summed: say which quantity and which way is better.
  const damageUnit = `${DAMAGE_UNITS[metric] ?? metric}; summed over layers, 0 = unchanged, lower is better`;
  const notes = [
    ...(input.measured?.samples ? [`Accuracy on ${input.measured.samples.toLocaleString('en-US')} labelled samples.`] : []),
    ...(input.measured?.missing ?? []),
  ];
  return renderReport({
    title: input.title,
    subtitle: [table ? `Damage: ${damageUnit}.` : '', ...notes].filter(Boolean).join(' ') || undefined,
    variants,
    layers: table ? layerRows(table, input.mixed ? { plan: input.mixed.plan } : {}) : undefined,
    frontier: input.mixed ? { yLabel: `predicted damage (${DAMAGE_UNITS[metric] ?? metric})`, series: frontierSeries(input.mixed.frontier, input.mixed.plan) } : undefined,
    comparison: input.report
      ? [
          { label: 'layers quantized', value: String(input.report.quantized.length) },
          { label: 'layers kept float', value: String(input.report.skipped.length) },
          { label: 'weight bytes before → after', value: `${input.report.weightBytesBefore.toLocaleString('en-US')} → ${input.report.weightBytesAfter.toLocaleString('en-US')}` },
          ...(input.fileBytes !== undefined ? [{ label: 'file size', value: `${input.fileBytes.toLocaleString('en-US')} bytes` }] : []),
        ]
      : undefined,
    generatedAt: new Date().toISOString(),
  });
}
