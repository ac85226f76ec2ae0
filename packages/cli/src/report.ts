import { lineChart } from '@rnnkit/diagnostics';
import type { RunLog } from './training/loss-log.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

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
      { name: 'train (smoothed)', points: smooth(train, 20) },
      { name: 'validation', points: log.validation.map((p) => [p.step, p.loss] as const) },
    ],
    { title: 'Loss', xLabel: 'step', yLabel: log.unit, width: 720, height: 320 },
  );
  const speed = lineChart([{ name: 'tokens/s', points: log.train.map((p) => [p.step, p.tokensPerSecond] as const) }], {
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
