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

/**
 * Renders a size-vs-quality chart as a self-contained inline SVG: a line through the frontier points and labelled
 * highlighted points.
 *
 * @param series - named point sets (e.g. "predicted frontier", "measured")
 * @param options - axis label for y, and whether y is a fraction to print as a percentage
 * @returns the SVG markup
 * @example
 * ```ts
 * renderParetoChart([{ name: 'measured', points }], { yLabel: 'accuracy', percent: true });
 * ```
 */
export function renderParetoChart(
  series: { name: string; points: ChartPoint[]; color?: string }[],
  options: { yLabel: string; percent?: boolean; width?: number; height?: number },
): string {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const m = { left: 64, right: 24, top: 20, bottom: 48 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="40"><text x="8" y="24">no data</text></svg>`;
  const xs = all.map((p) => p.bytes);
  const ys = all.map((p) => p.value);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const padX = (x1 - x0) * 0.05 || Math.max(1, x0 * 0.05);
  const padY = (y1 - y0) * 0.08 || Math.max(1e-6, Math.abs(y0) * 0.05);
  const [lx, hx, ly, hy] = [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
  const sx = (v: number) => m.left + ((v - lx) / (hx - lx)) * (width - m.left - m.right);
  const sy = (v: number) => height - m.bottom - ((v - ly) / (hy - ly)) * (height - m.top - m.bottom);
  const fmtY = (v: number) => (options.percent ? `${(v * 100).toFixed(1)}%` : v.toPrecision(3));
  const fmtX = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} KB` : `${v} B`);
  const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea'];
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`);
  for (const t of niceTicks(lx, hx)) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.top}" y2="${height - m.bottom}" stroke="#eee"/><text x="${sx(t)}" y="${height - m.bottom + 16}" text-anchor="middle">${esc(fmtX(t))}</text>`);
  }
  for (const t of niceTicks(ly, hy)) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/><text x="${m.left - 6}" y="${sy(t) + 4}" text-anchor="end">${esc(fmtY(t))}</text>`);
  }
  parts.push(`<text x="${(m.left + width - m.right) / 2}" y="${height - 10}" text-anchor="middle">weight bytes</text>`);
  parts.push(`<text transform="translate(14 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`);
  // Labels of highlighted points are placed only where they do not overlap an earlier label (tooltips have them all).
  const placed: { x: number; y: number; w: number }[] = [];
  const freeSpot = (x: number, y: number, w: number) => !placed.some((p) => x < p.x + p.w && p.x < x + w && Math.abs(p.y - y) < 13);
  series.forEach((s, i) => {
    const color = s.color ?? palette[i % palette.length];
    const pts = s.points.slice().sort((a, b) => a.bytes - b.bytes);
    // A frontier is a curve; a set of separately labelled plans is not joined.
    if (!pts.every((p) => p.highlight)) {
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map((p) => `${sx(p.bytes).toFixed(1)},${sy(p.value).toFixed(1)}`).join(' ')}"/>`);
    }
    for (const p of pts) {
      parts.push(`<circle cx="${sx(p.bytes).toFixed(1)}" cy="${sy(p.value).toFixed(1)}" r="${p.highlight ? 5 : 3}" fill="${color}"><title>${esc(`${p.label ?? ''} ${fmtX(p.bytes)}: ${fmtY(p.value)}`.trim())}</title></circle>`);
      if (p.highlight && p.label) {
        const w = p.label.length * 6;
        // Right of the point, or left of it near the right edge; never above the plot's top.
        const right = sx(p.bytes) + 7 + w <= width - m.right;
        const lx2 = right ? sx(p.bytes) + 7 : sx(p.bytes) - 7 - w;
        const ly2 = sy(p.value) - 7;
        for (const dy of [0, 14, -14, 28, -28, 42]) {
          const y = ly2 + dy;
          if (y < m.top + 10 || y > height - m.bottom - 4 || !freeSpot(lx2, y, w)) continue;
          placed.push({ x: lx2, y, w });
          parts.push(`<text x="${lx2.toFixed(1)}" y="${y.toFixed(1)}" fill="${color}">${esc(p.label)}</text>`);
          break;
        }
      }
    }
    // The legend sits in the lower right, where a size/accuracy chart has no points (big and inaccurate).
    const legendY = height - m.bottom - 8 - (series.length - i) * 16;
    const legendX = width - m.right - 8 - Math.max(...series.map((x) => x.name.length)) * 6 - 15;
    parts.push(`<rect x="${legendX}" y="${legendY}" width="10" height="10" fill="${color}"/><text x="${legendX + 15}" y="${legendY + 9}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
