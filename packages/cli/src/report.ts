import type { RunLog } from './training/loss-log.js';

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly color: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A self-contained SVG line chart (no scripts, no external assets). */
export function lineChart(series: readonly Series[], options: { title: string; xLabel: string; yLabel: string; width?: number; height?: number }): string {
  const W = options.width ?? 720;
  const H = options.height ?? 320;
  const m = { l: 60, r: 20, t: 30, b: 45 };
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><text x="20" y="40">${esc(options.title)}: no data</text></svg>`;
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const ticks = (lo: number, hi: number, n: number) => Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
  const grid = ticks(y0, y1, 4)
    .map((y) => `<line x1="${m.l}" x2="${W - m.r}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#e5e5e5"/><text x="${m.l - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end" font-size="11">${y.toPrecision(3)}</text>`)
    .join('');
  const xt = ticks(x0, x1, 5)
    .map((x) => `<text x="${sx(x).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${Math.round(x)}</text>`)
    .join('');
  const lines = series
    .filter((s) => s.points.length > 0)
    .map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`)
    .join('');
  const legend = series.map((s, i) => `<rect x="${m.l + 10 + i * 130}" y="8" width="12" height="3" fill="${s.color}"/><text x="${m.l + 26 + i * 130}" y="13" font-size="11">${esc(s.name)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" role="img" aria-label="${esc(options.title)}">
<title>${esc(options.title)}</title>${grid}${xt}${lines}${legend}
<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/>
<text x="${(W + m.l) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${esc(options.xLabel)}</text>
<text transform="translate(14 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(options.yLabel)}</text></svg>`;
}

/** Smooths a noisy series with a trailing mean over `k` points. */
export function smooth(points: readonly (readonly [number, number])[], k: number): [number, number][] {
  return points.map(([x], i) => {
    const from = Math.max(0, i - k + 1);
    const win = points.slice(from, i + 1);
    return [x, win.reduce((s, [, y]) => s + y, 0) / win.length];
  });
}

/** The end-of-run report: one HTML file with the loss curves, settings, samples and results. */
export function htmlReport(title: string, log: RunLog, facts: readonly (readonly [string, string])[]): string {
  const train = log.train.map((p) => [p.step, p.loss] as const);
  const chart = lineChart(
    [
      { name: 'train (smoothed)', points: smooth(train, 20), color: '#1f77b4' },
      { name: 'validation', points: log.validation.map((p) => [p.step, p.loss] as const), color: '#d62728' },
    ],
    { title: 'Loss', xLabel: 'step', yLabel: 'cross-entropy (nats/char)' },
  );
  const speed = lineChart([{ name: 'tokens/s', points: log.train.map((p) => [p.step, p.tokensPerSecond] as const), color: '#2ca02c' }], {
    title: 'Throughput',
    xLabel: 'step',
    yLabel: 'tokens per second',
    height: 220,
  });
  const rows = facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n');
  const samples = log.samples.map((s) => `<h3>step ${s.step}</h3><pre>${esc(s.text)}</pre>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}th{text-align:left;padding-right:1em}pre{white-space:pre-wrap;background:#f6f6f6;padding:.6em}</style>
</head><body>
<h1>${esc(title)}</h1>
<table>${rows}</table>
<h2>Loss</h2>${chart}
<h2>Throughput</h2>${speed}
<h2>Samples</h2>${samples}
</body></html>
`;
}
