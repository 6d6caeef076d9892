/** One point of the size/quality trade-off. */
export interface ChartPoint {
  /** Size in bytes (x). */
  bytes: number;
  /** Quality on y: accuracy as a fraction, or damage (lower is better). */
  value: number;
  label?: string;
  /** Highlighted points (the chosen plans, the uniform baselines) are drawn larger and labelled. */
  highlight?: boolean;
}

/** Options of {@link renderParetoChart}. */
export interface ParetoChartOptions {
  yLabel: string;
  /** y is a fraction, printed as a percentage (accuracy). */
  percent?: boolean;
  /** Whether a larger y is better (default: true with `percent`, else false — damage). */
  higherIsBetter?: boolean;
  width?: number;
  height?: number;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** 1, 2, 5 × powers of ten between lo and hi (log axis ticks). */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks;
}

/**
 * The non-dominated points of a set: no other point is at most as large and at least as good (strictly better in one).
 * Sorted by size; each is strictly better than every smaller one.
 *
 * @param points - every measured point
 * @param higherIsBetter - whether a larger value is better
 * @returns the frontier, smallest first
 * @example
 * ```ts
 * paretoPoints([{ bytes: 1, value: 0.9 }, { bytes: 2, value: 0.8 }], true); // [{ bytes: 1, value: 0.9 }]
 * ```
 */
export function paretoPoints(points: readonly ChartPoint[], higherIsBetter: boolean): ChartPoint[] {
  const better = (a: number, b: number) => (higherIsBetter ? a > b : a < b);
  const sorted = points.slice().sort((a, b) => a.bytes - b.bytes || (better(a.value, b.value) ? -1 : better(b.value, a.value) ? 1 : 0));
  const out: ChartPoint[] = [];
  for (const p of sorted) if (out.length === 0 || better(p.value, out[out.length - 1].value)) out.push(p);
  return out;
}

/** A placed label's box, in SVG units. */
interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Renders a size-vs-quality chart as a self-contained inline SVG that scales to its container (laptop or phone): every
 * series' points, and the true non-dominated frontier of all of them as steps (the best quality measured at or below
 * each size — nothing interpolated between plans). Sizes that span a decade or more get a log axis. Labels of
 * highlighted points sit next to their point and never overlap each other or a point (a label with no free place is
 * left to the point's tooltip); each carries its box as `data-box="x y w h"` for tests. The legend is under the plot,
 * off the data.
 *
 * @param series - named point sets (e.g. "plans", "uniform", "float")
 * @param options - {@link ParetoChartOptions}
 * @returns the SVG markup
 * @example
 * ```ts
 * renderParetoChart([{ name: 'measured', points }], { yLabel: 'accuracy', percent: true });
 * ```
 */
export function renderParetoChart(series: { name: string; points: ChartPoint[]; color?: string }[], options: ParetoChartOptions): string {
  const width = options.width ?? 640;
  const plotHeight = options.height ?? 360;
  const higher = options.higherIsBetter ?? options.percent === true;
  // One legend entry per row: names such as "mixed-precision frontier (measured)" do not fit three to a row.
  const legendRows = series.length + 1;
  const height = plotHeight + legendRows * 16 + 8;
  const m = { left: 64, right: 24, top: 20, bottom: 48 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="40"><text x="8" y="24">no data</text></svg>`;
  const xs = all.map((p) => p.bytes);
  const ys = all.map((p) => p.value);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const log = x0 > 0 && x1 / x0 >= 10;
  const padY = (y1 - y0) * 0.08 || Math.max(1e-6, Math.abs(y0) * 0.05);
  const [ly, hy] = [y0 - padY, y1 + padY];
  let sx: (v: number) => number;
  let xTicks: number[];
  if (log) {
    const [l0, l1] = [Math.log10(x0) - 0.05, Math.log10(x1) + 0.05];
    sx = (v) => m.left + ((Math.log10(v) - l0) / (l1 - l0)) * (width - m.left - m.right);
    xTicks = logTicks(10 ** l0, 10 ** l1);
  } else {
    const padX = (x1 - x0) * 0.05 || Math.max(1, x0 * 0.05);
    const [lx, hx] = [x0 - padX, x1 + padX];
    sx = (v) => m.left + ((v - lx) / (hx - lx)) * (width - m.left - m.right);
    xTicks = niceTicks(lx, hx);
  }
  const bottom = plotHeight - m.bottom;
  const sy = (v: number) => bottom - ((v - ly) / (hy - ly)) * (bottom - m.top);
  const fmtY = (v: number) => (options.percent ? `${(v * 100).toFixed(1)}%` : v.toPrecision(3));
  const fmtX = (v: number) => (v >= 1e6 ? `${+(v / 1e6).toFixed(1)} MB` : v >= 1e3 ? `${+(v / 1e3).toFixed(1)} KB` : `${v} B`);
  const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" style="max-width:100%;height:auto" font-family="system-ui, sans-serif" font-size="11" class="pareto-chart">`,
  );
  for (const t of xTicks) {
    parts.push(`<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${m.top}" y2="${bottom}" stroke="#eee"/><text x="${sx(t).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${esc(fmtX(t))}</text>`);
  }
  for (const t of niceTicks(ly, hy)) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/><text x="${m.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${esc(fmtY(t))}</text>`);
  }
  parts.push(`<text x="${(m.left + width - m.right) / 2}" y="${bottom + 34}" text-anchor="middle">weight bytes${log ? ' (log scale)' : ''}</text>`);
  parts.push(`<text transform="translate(14 ${(m.top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`);
  // The frontier of everything measured, as steps: quality holds until a larger point improves on it.
  const front = paretoPoints(all, higher);
  const steps: string[] = [];
  front.forEach((p, i) => {
    steps.push(`${sx(p.bytes).toFixed(1)},${sy(p.value).toFixed(1)}`);
    const next = front[i + 1];
    if (next) steps.push(`${sx(next.bytes).toFixed(1)},${sy(p.value).toFixed(1)}`);
  });
  steps.push(`${(width - m.right).toFixed(1)},${sy(front[front.length - 1].value).toFixed(1)}`);
  parts.push(`<polyline class="frontier" fill="none" stroke="#111" stroke-width="1.5" stroke-dasharray="4 2" points="${steps.join(' ')}"/>`);
  // Points first (so labels can avoid them), then labels.
  const dots: Box[] = [];
  series.forEach((s, i) => {
    const color = s.color ?? palette[i % palette.length];
    for (const p of s.points) {
      const [cx, cy] = [sx(p.bytes), sy(p.value)];
      const r = p.highlight ? 5 : 3;
      dots.push({ x: cx - r, y: cy - r, w: 2 * r, h: 2 * r });
      parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r}" fill="${color}"><title>${esc(`${s.name}${p.label ? ` ${p.label}` : ''}: ${fmtX(p.bytes)}, ${fmtY(p.value)}`)}</title></circle>`);
    }
  });
  const placed: Box[] = [];
  const inPlot = (b: Box) => b.x >= m.left && b.x + b.w <= width - m.right && b.y >= m.top - 12 && b.y + b.h <= bottom;
  series.forEach((s, i) => {
    const color = s.color ?? palette[i % palette.length];
    for (const p of s.points) {
      if (!p.highlight || !p.label) continue;
      const [cx, cy] = [sx(p.bytes), sy(p.value)];
      // Text boxes at 6.2 px per character (11 px system-ui) and 12 px high; tried nearest first.
      const w = Math.ceil(p.label.length * 6.2) + 2;
      const h = 12;
      const spots: Box[] = [];
      for (const d of [0, 12, 24]) {
        spots.push({ x: cx + 8, y: cy - h / 2 - d, w, h }, { x: cx + 8, y: cy - h / 2 + d, w, h });
        spots.push({ x: cx - 8 - w, y: cy - h / 2 - d, w, h }, { x: cx - 8 - w, y: cy - h / 2 + d, w, h });
        spots.push({ x: cx - w / 2, y: cy - 8 - h - d, w, h }, { x: cx - w / 2, y: cy + 8 + d, w, h });
      }
      const spot = spots.find((b) => inPlot(b) && !placed.some((o) => overlaps(o, b)) && !dots.some((o) => overlaps(o, b)));
      if (!spot) continue;
      placed.push(spot);
      parts.push(
        `<text class="point-label" x="${spot.x.toFixed(1)}" y="${(spot.y + h - 2).toFixed(1)}" fill="${color}" data-box="${spot.x.toFixed(1)} ${spot.y.toFixed(1)} ${w} ${h}" data-point="${cx.toFixed(1)} ${cy.toFixed(1)}">${esc(p.label)}</text>`,
      );
    }
  });
  // Legend: under the plot, one entry per row; the frontier's entry last.
  const entries = [...series.map((s, i) => ({ name: s.name, color: s.color ?? palette[i % palette.length], dash: false })), { name: 'best measured at each size (non-dominated)', color: '#111', dash: true }];
  entries.forEach((e, k) => {
    const x = m.left;
    const y = plotHeight + 4 + k * 16;
    const mark = e.dash ? `<line x1="${x}" x2="${x + 12}" y1="${y + 5}" y2="${y + 5}" stroke="${e.color}" stroke-width="1.5" stroke-dasharray="4 2"/>` : `<rect x="${x}" y="${y}" width="10" height="10" fill="${e.color}"/>`;
    parts.push(`${mark}<text x="${x + 16}" y="${y + 9}">${esc(e.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
