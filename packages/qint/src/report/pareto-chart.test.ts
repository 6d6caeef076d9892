import { describe, expect, it } from 'vitest';
import { paretoPoints, renderParetoChart, type ChartPoint } from './pareto-chart';

// A crowded chart: 12 labelled plans packed in a small area, plus an unlabelled cloud, sizes over two decades.
const plans: ChartPoint[] = Array.from({ length: 12 }, (_, i) => ({ bytes: 1500 + i * 250, value: 0.9 + ((i * 7) % 10) / 1000, label: `plan ${i} (${1500 + i * 250} B)`, highlight: true }));
const cloud: ChartPoint[] = Array.from({ length: 30 }, (_, i) => ({ bytes: 1000 * 1.15 ** i, value: 0.85 + 0.004 * i - ((i * 13) % 7) / 500 }));
const boxes = (svg: string) => [...svg.matchAll(/data-box="([\d.-]+) ([\d.-]+) ([\d.]+) ([\d.]+)" data-point="([\d.-]+) ([\d.-]+)"/g)].map((m) => m.slice(1).map(Number));

describe('renderParetoChart', () => {
  it('frontier = the non-dominated set of all points (checked by brute force), drawn as steps', () => {
    const all = [...plans, ...cloud, { bytes: 24000, value: 0.989, label: 'float', highlight: true }];
    const front = paretoPoints(all, true);
    for (const p of all) {
      const dominated = all.some((q) => q.bytes <= p.bytes && q.value >= p.value && (q.bytes < p.bytes || q.value > p.value));
      expect(front.includes(p), `${p.bytes} ${p.value}`).toBe(!dominated && !front.some((f) => f !== p && f.bytes === p.bytes && f.value === p.value));
    }
    // Lower-is-better (damage) picks the other end.
    expect(paretoPoints([{ bytes: 1, value: 5 }, { bytes: 2, value: 3 }, { bytes: 3, value: 4 }], false).map((p) => p.bytes)).toEqual([1, 2]);
    const svg = renderParetoChart([{ name: 'plans', points: plans }, { name: 'frontier', points: cloud }, { name: 'float', points: [all[all.length - 1]] }], { yLabel: 'accuracy', percent: true });
    const pts = /class="frontier"[^>]*points="([^"]+)"/.exec(svg)![1].split(' ').map((s) => s.split(',').map(Number));
    // Steps: every segment is horizontal or vertical, x never decreases, and y (screen) never increases going right.
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i][0] === pts[i - 1][0] || pts[i][1] === pts[i - 1][1]).toBe(true);
      expect(pts[i][0]).toBeGreaterThanOrEqual(pts[i - 1][0]);
      expect(pts[i][1]).toBeLessThanOrEqual(pts[i - 1][1]);
    }
    expect(svg).toContain('weight bytes (log scale)');
  });

  it('labels never overlap each other or a point, sit next to their point, and stay in the plot', () => {
    const svg = renderParetoChart([{ name: 'plans', points: plans }, { name: 'cloud', points: cloud }], { yLabel: 'accuracy', percent: true });
    const b = boxes(svg);
    expect(b.length).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < b.length; i++) {
      const [x, y, w, h, px, py] = b[i];
      for (let j = i + 1; j < b.length; j++) {
        const [x2, y2, w2, h2] = b[j];
        expect(x < x2 + w2 && x2 < x + w && y < y2 + h2 && y2 < y + h, `labels ${i} and ${j} overlap`).toBe(false);
      }
      // Nearest edge of the box within 40 px of its point.
      const dx = Math.max(x - px, 0, px - (x + w));
      const dy = Math.max(y - py, 0, py - (y + h));
      expect(Math.hypot(dx, dy)).toBeLessThan(40);
      expect(x).toBeGreaterThanOrEqual(64);
      expect(x + w).toBeLessThanOrEqual(640 - 24);
    }
    // The legend is below the plot area (y beyond the plot's bottom edge, 360 - 48).
    const legendY = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="10" height="10"/g)].map((m) => Number(m[1]));
    for (const y of legendY) expect(y).toBeGreaterThan(360 - 48);
    expect(svg).toMatch(/viewBox="0 0 640 \d+"[^>]*style="max-width:100%;height:auto"/);
  });

  it('keeps a linear axis when sizes span less than a decade', () => {
    expect(renderParetoChart([{ name: 'a', points: [{ bytes: 1000, value: 1 }, { bytes: 5000, value: 0.5 }] }], { yLabel: 'damage' })).not.toContain('log scale');
  });
});
