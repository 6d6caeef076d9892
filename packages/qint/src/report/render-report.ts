import { renderParetoChart, type ChartPoint } from './pareto-chart';

/** One row of the variants table: a model and what it measured. */
export interface ReportVariant {
  name: string;
  /** File size in bytes (`.qint` or ONNX). */
  fileBytes: number;
  /** Top-1 accuracy as a fraction. */
  accuracy?: number;
  /** Median latency per run, in ms, per backend. */
  latencyMs?: Partial<Record<'js' | 'wasm', number>>;
  note?: string;
}

/** One row of the per-layer table. */
export interface ReportLayer {
  name: string;
  opType?: string;
  weights: number;
  /** The chosen candidate per plan (column name → candidate id). */
  choices: Record<string, string>;
  /** Bytes per candidate id. */
  bytes: Record<string, number>;
  /** Measured damage per candidate id. */
  sensitivity: Record<string, number>;
}

/** Everything a report shows. */
export interface ReportData {
  title: string;
  /** What was measured, on what data and machine. */
  subtitle?: string;
  variants: ReportVariant[];
  layers?: ReportLayer[];
  /** The size/quality trade-off: series of points (e.g. predicted damage, measured accuracy). */
  frontier?: { yLabel: string; percent?: boolean; series: { name: string; points: ChartPoint[] }[] };
  /** Float-vs-quantized comparison lines. */
  comparison?: { label: string; value: string }[];
  generatedAt?: string;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const kb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} KB`);

/**
 * Renders a self-contained HTML report (no external assets): the variants table (size, accuracy, latency), the
 * per-layer table (bits, bytes, sensitivity), the size/accuracy Pareto chart as inline SVG and the float-vs-quantized
 * comparison.
 *
 * @param data - {@link ReportData}
 * @returns the HTML document
 * @example
 * ```ts
 * await writeFile('report.html', renderReport({ title: 'mnist-8', variants }));
 * ```
 */
export function renderReport(data: ReportData): string {
  const base = data.variants[0];
  const rows = data.variants
    .map((v) => {
      const ratio = base ? `${(base.fileBytes / v.fileBytes).toFixed(2)}×` : '';
      const lat = (b: 'js' | 'wasm') => (v.latencyMs?.[b] !== undefined ? `${v.latencyMs[b]!.toFixed(3)} ms` : '–');
      return `<tr><td>${esc(v.name)}</td><td class="n">${kb(v.fileBytes)}</td><td class="n">${ratio}</td><td class="n">${v.accuracy !== undefined ? `${(v.accuracy * 100).toFixed(2)}%` : '–'}</td><td class="n">${lat('js')}</td><td class="n">${lat('wasm')}</td><td>${esc(v.note ?? '')}</td></tr>`;
    })
    .join('\n');
  const layerSection = data.layers?.length
    ? (() => {
        const plans = Object.keys(data.layers[0].choices);
        const ids = [...new Set(data.layers.flatMap((l) => Object.keys(l.sensitivity)))];
        const head = `<tr><th>layer</th><th>op</th><th class="n">weights</th>${plans.map((p) => `<th>${esc(p)}</th>`).join('')}${ids.map((id) => `<th class="n">${esc(id)}<br><small>bytes · damage</small></th>`).join('')}</tr>`;
        const body = data.layers
          .map(
            (l) =>
              `<tr><td>${esc(l.name)}</td><td>${esc(l.opType ?? '')}</td><td class="n">${l.weights.toLocaleString('en-US')}</td>${plans.map((p) => `<td>${esc(l.choices[p] ?? '')}</td>`).join('')}${ids
                .map((id) => (l.bytes[id] !== undefined ? `<td class="n">${l.bytes[id].toLocaleString('en-US')} · ${l.sensitivity[id].toPrecision(3)}</td>` : '<td class="n">–</td>'))
                .join('')}</tr>`,
          )
          .join('\n');
        return `<h2>Per layer</h2><table>${head}${body}</table>`;
      })()
    : '';
  const chart = data.frontier
    ? `<h2>Size vs ${esc(data.frontier.yLabel)}</h2>${renderParetoChart(data.frontier.series, { yLabel: data.frontier.yLabel, percent: data.frontier.percent })}`
    : '';
  const comparison = data.comparison?.length
    ? `<h2>Float vs quantized</h2><table>${data.comparison.map((c) => `<tr><td>${esc(c.label)}</td><td class="n">${esc(c.value)}</td></tr>`).join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(data.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#111;max-width:1100px}@media (max-width:600px){body{margin:.75rem}}table{border-collapse:collapse;margin:1rem 0;display:block;max-width:100%;overflow-x:auto}svg{max-width:100%;height:auto}td,th{border-bottom:1px solid #ddd;padding:.35rem .7rem;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}small{color:#666}</style>
</head><body>
<h1>${esc(data.title)}</h1>
${data.subtitle ? `<p>${esc(data.subtitle)}</p>` : ''}
<h2>Variants</h2>
<table><tr><th>variant</th><th class="n">file size</th><th class="n">smaller by</th><th class="n">accuracy</th><th class="n">latency JS</th><th class="n">latency WASM</th><th>note</th></tr>
${rows}
</table>
${chart}
${layerSection}
${comparison}
<p><small>Generated by qint${data.generatedAt ? ` on ${esc(data.generatedAt)}` : ''}.</small></p>
</body></html>
`;
}
