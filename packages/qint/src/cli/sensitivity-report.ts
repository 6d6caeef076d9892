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

/** The HTML report of `qint quantize --report` and `qint sensitivity --report`. */
export function sensitivityReport(input: {
  title: string;
  floatBytes: number;
  quantBytes?: number;
  fileBytes?: number;
  report?: QuantizeReport;
  mixed?: { plan: Plan; table: SensitivityTable; frontier: Plan[] };
  table?: SensitivityTable;
}): string {
  const table = input.mixed?.table ?? input.table;
  const variants = [{ name: 'float weights', fileBytes: input.floatBytes }];
  if (input.quantBytes !== undefined) variants.push({ name: 'quantized weights', fileBytes: input.quantBytes });
  return renderReport({
    title: input.title,
    subtitle: table ? `Sensitivity metric: ${table.metric ?? 'unknown'}. Damage is predicted per layer and summed.` : undefined,
    variants,
    layers: table ? layerRows(table, input.mixed ? { plan: input.mixed.plan } : {}) : undefined,
    frontier: input.mixed ? { yLabel: 'predicted damage', series: frontierSeries(input.mixed.frontier, input.mixed.plan) } : undefined,
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
