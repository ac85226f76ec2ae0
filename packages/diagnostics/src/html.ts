import type { DiagnosticsReport, ProbeResult } from './diagnostics.js';
import type { StateGradNormsResult } from './grad-norms.js';
import type { StateJacobianResult } from './jacobian.js';
import type { ForgetGateResult, GateSaturationResult, StateNormResult } from './gates.js';
import type { GradientClipResult, LossResult, UpdateRatioResult } from './training.js';
import { describeNonFinite, type NonFiniteResult } from './non-finite.js';
import type { MemoryResult } from './memory.js';
import { heatMap } from './svg/heat-map.js';
import { lineChart, type LineSeries } from './svg/line-chart.js';
import { escapeXml, fmt } from './svg/internal.js';

export interface HtmlReportOptions {
  readonly title?: string;
  /** Embed the report's JSON in a <script type="application/json"> block (default true). */
  readonly embedJson?: boolean;
}

type Kinds = ProbeResult['kind'];
type ByKind<K extends Kinds> = Extract<ProbeResult, { kind: K }>;

function find<K extends Kinds>(report: DiagnosticsReport<unknown>, kind: K): ByKind<K>[] {
  const probes = report.probes as Record<string, unknown>;
  return Object.values(probes).filter((p): p is ByKind<K> => typeof p === 'object' && p !== null && (p as { kind?: unknown }).kind === kind);
}

// Inline SVG in HTML needs no namespace; dropping it keeps the page free of any URL.
const inline = (svg: string) => svg.replace(' xmlns="http://www.w3.org/2000/svg"', '');
const n = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : fmt(Number(v.toPrecision(digits))));

function section(title: string, body: string, note?: string): string {
  return `<section><h2>${escapeXml(title)}</h2>${note ? `<p class="note">${escapeXml(note)}</p>` : ''}${body}</section>`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

function gradSection(r: StateGradNormsResult): string {
  if (r.steps.length === 0) return '';
  const last = r.steps[r.steps.length - 1]!;
  const out: string[] = [];
  out.push(
    table(
      ['layer/direction', 'verdict', 'factor per step', 'half-life (steps)', `horizon (< ${r.threshold} of the loss step)`],
      last.tracks.map((t) => [
        `${t.layer}/${t.direction}`,
        t.fit?.verdict ?? '–',
        n(t.fit?.factorPerStep, 4),
        n(t.fit?.halfLife),
        t.horizon === null ? `beyond ${t.norm.length} steps` : String(t.horizon),
      ]),
    ),
  );
  const tracks = new Set(r.steps.flatMap((s) => s.tracks.map((t) => `${t.layer}/${t.direction}`)));
  for (const key of tracks) {
    const rows = r.steps.map((s) => s.tracks.find((t) => `${t.layer}/${t.direction}` === key)?.norm ?? []);
    out.push(
      inline(
        heatMap(rows, {
          title: `‖∂L/∂s_t‖ by time step over training (${key})`,
          xLabel: 'time step t',
          yLabel: 'training step',
          yValues: r.steps.map((s) => s.step),
          log: true,
          valueLabel: 'log10 ‖∂L/∂s_t‖',
          height: Math.min(420, 120 + 6 * rows.length),
        }),
      ),
    );
    const picks = [...new Set([0, Math.floor((r.steps.length - 1) / 2), r.steps.length - 1])];
    const series: LineSeries[] = picks.map((i) => {
      const t = r.steps[i]!.tracks.find((x) => `${x.layer}/${x.direction}` === key);
      return { name: `step ${r.steps[i]!.step}`, points: (t?.norm ?? []).map((v, k) => [k, v] as const) };
    });
    out.push(inline(lineChart(series, { title: `‖∂L/∂s_t‖ by time step (${key})`, xLabel: 'time step t', yLabel: '‖∂L/∂s_t‖', logY: true })));
  }
  return section(
    'Gradient norm through time',
    out.join(''),
    'The verdict comes from the measured decay of ‖∂L/∂s_t‖ going back from the loss (a straight-line fit of its logarithm per step).',
  );
}

function jacobianSection(r: StateJacobianResult): string {
  if (r.steps.length === 0) return '';
  const last = r.steps[r.steps.length - 1]!;
  const out: string[] = [
    table(
      ['layer/direction', 'geometric mean σ̄', 'geometric mean of max σ', 'Pascanu et al. condition'],
      last.tracks.map((t) => [`${t.layer}/${t.direction}`, n(t.geometricMean, 4), n(t.geometricMeanOfMax, 4), t.condition.note]),
    ),
  ];
  const series: LineSeries[] = last.tracks.flatMap((t) => [
    { name: `${t.layer}/${t.direction} mean`, points: t.times.map((x, i) => [x, t.sigmaMean[i] ?? null] as const) },
    { name: `${t.layer}/${t.direction} max`, points: t.times.map((x, i) => [x, t.sigmaMax[i] ?? null] as const), dashed: true },
  ]);
  out.push(inline(lineChart(series, { title: `‖∂s_t/∂s_{t−1}‖₂ at training step ${last.step}`, xLabel: 'time step t', yLabel: 'spectral norm', hLines: [{ y: 1, label: 'σ = 1' }] })));
  if (r.steps.length > 1) {
    const keys = [...new Set(r.steps.flatMap((s) => s.tracks.map((t) => `${t.layer}/${t.direction}`)))];
    const over: LineSeries[] = keys.map((k) => ({
      name: k,
      points: r.steps.map((s) => [s.step, s.tracks.find((t) => `${t.layer}/${t.direction}` === k)?.geometricMean ?? null] as const),
    }));
    out.push(inline(lineChart(over, { title: 'Geometric mean of σ_t over training', xLabel: 'training step', yLabel: 'geometric mean σ', hLines: [{ y: 1, label: 'σ = 1' }] })));
  }
  return section(
    'State Jacobian spectral norms',
    out.join(''),
    `Power iteration (jvp and vjp through one cell step, ${r.rows} rows, ≤ ${r.iterations} rounds). A geometric mean below 1 is a sufficient condition for vanishing gradients (Pascanu et al. 2013), not a proof of anything above 1.`,
  );
}

function gateSection(r: GateSaturationResult, f: ForgetGateResult | undefined): string {
  if (r.steps.length === 0) return '';
  const names = [...new Set(r.steps.flatMap((s) => Object.entries(s.tracks).flatMap(([k, g]) => Object.keys(g).map((name) => `${k} ${name}`))))];
  const series: LineSeries[] = names.map((full) => {
    const [k, name] = full.split(' ') as [string, string];
    return { name: full, points: r.steps.map((s) => [s.step, s.tracks[k]?.[name]?.saturated ?? null] as const) };
  });
  const out = [inline(lineChart(series, { title: 'Saturated fraction per gate', xLabel: 'training step', yLabel: 'fraction saturated' }))];
  const last = r.steps[r.steps.length - 1]!;
  out.push(
    table(
      ['gate', 'saturated', 'low', 'high', 'mean'],
      Object.entries(last.tracks).flatMap(([k, g]) => Object.entries(g).map(([name, s]) => [`${k} ${name}`, n(s.saturated), n(s.low), n(s.high), n(s.mean)])),
    ),
  );
  if (f && f.steps.some((s) => Object.keys(s.tracks).length > 0)) {
    const lf = f.steps[f.steps.length - 1]!;
    out.push(table(['layer/direction', 'keep gate', 'mean f̄', 'timescale −1/ln f̄ (steps)'], Object.entries(lf.tracks).map(([k, t]) => [k, t.gate, n(t.mean, 4), n(t.timescale)])));
    const keys = [...new Set(f.steps.flatMap((s) => Object.keys(s.tracks)))];
    out.push(
      inline(
        lineChart(
          keys.map((k) => ({ name: k, points: f.steps.map((s) => [s.step, s.tracks[k]?.timescale ?? null] as const) })),
          { title: 'Memory timescale −1/ln f̄', xLabel: 'training step', yLabel: 'steps', logY: true },
        ),
      ),
    );
  }
  return section('Gates', out.join(''), 'Sigmoid gates count as saturated below 0.05 or above 0.95; tanh units where |value| > 0.95.');
}

function stateNormSection(r: StateNormResult): string {
  if (r.steps.length === 0) return '';
  const last = r.steps[r.steps.length - 1]!;
  const series: LineSeries[] = Object.entries(last.tracks).flatMap(([k, t]) => Object.entries(t.byState).map(([name, v]) => ({ name: `${k} ${name}`, points: v.map((x, i) => [i, x] as const) })));
  const rows = Object.entries(last.tracks).flatMap(([k, t]) => Object.entries(t.growth).map(([name, g]) => [`${k} ${name}`, n(g.slopePerStep), n(g.ratio)]));
  return section('State norms', inline(lineChart(series, { title: `Mean ‖s_t‖ at training step ${last.step}`, xLabel: 'time step t', yLabel: 'norm' })) + table(['state', 'growth per step', 'last / first'], rows));
}

function trainingSection(loss: LossResult | undefined, clip: GradientClipResult | undefined, ratio: UpdateRatioResult | undefined): string {
  const out: string[] = [];
  if (loss && loss.steps.length) out.push(inline(lineChart([{ name: 'loss', points: loss.steps.map((s) => [s.step, s.loss] as const) }], { title: 'Loss', xLabel: 'training step', yLabel: 'loss' })));
  if (clip && clip.steps.length) {
    out.push(
      inline(
        lineChart([{ name: 'pre-clip norm', points: clip.steps.map((s) => [s.step, s.norm] as const) }], {
          title: `Global gradient norm before clipping (${clip.clippedFraction === null ? 'no threshold given' : `${(100 * clip.clippedFraction).toFixed(1)} % of steps clipped`})`,
          xLabel: 'training step',
          yLabel: '‖g‖',
          logY: true,
          hLines: clip.maxNorm === null ? [] : [{ y: clip.maxNorm, label: `maxNorm ${clip.maxNorm}` }],
        }),
      ),
    );
  }
  if (ratio && ratio.steps.length) {
    const paths = [...new Set(ratio.steps.flatMap((s) => Object.keys(s.ratios)))];
    out.push(
      inline(
        lineChart(
          paths.map((p) => ({ name: p, points: ratio.steps.map((s) => [s.step, s.ratios[p] ?? null] as const) })),
          { title: 'Update-to-parameter ratio ‖Δp‖/‖p‖', xLabel: 'training step', yLabel: 'ratio', logY: true, width: 760 },
        ),
      ),
    );
  }
  return out.length ? section('Training', out.join('')) : '';
}

function memorySection(r: MemoryResult): string {
  if (r.steps.length === 0) return '';
  const last = r.steps[r.steps.length - 1]!;
  const out = [
    inline(lineChart([{ name: 'bytes', points: last.bytesByTime.map((b, i) => [i, b / 2 ** 20] as const) }], { title: `Backend memory during the forward (step ${last.step})`, xLabel: 'time step (processing order)', yLabel: 'MiB live' })),
  ];
  if (r.steps.length > 1) out.push(inline(lineChart([{ name: 'peak', points: r.steps.map((s) => [s.step, s.peakBytes / 2 ** 20] as const) }], { title: 'Peak backend memory per training step', xLabel: 'training step', yLabel: 'MiB' })));
  return section('Memory', out.join(''));
}

/**
 * A self-contained HTML page for a diagnostics report: inline SVG charts (gradient norm by time
 * step as a heat map over training steps, Jacobian norms, gate saturation, loss, …), no scripts
 * to run, no external assets, no URLs. Probes are found by their result's `kind`.
 */
export function renderHtmlReport(report: DiagnosticsReport<unknown>, options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'rnnkit diagnostics';
  const nonFinite = find(report, 'nonFinite');
  const nf = nonFinite.find((r: NonFiniteResult) => r.first !== null);
  const parts: string[] = [];
  const meta = Object.entries(report.meta);
  parts.push(`<h1>${escapeXml(title)}</h1>`);
  parts.push(`<p>${report.trainingSteps} training step${report.trainingSteps === 1 ? '' : 's'} observed.</p>`);
  if (meta.length) parts.push(table(['', ''], meta.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
  if (nonFinite.length) parts.push(`<p class="${nf ? 'bad' : 'good'}">${escapeXml(nf?.first ? `NaN/Inf: ${describeNonFinite(nf.first)}` : 'No NaN or Inf seen.')}</p>`);
  parts.push(trainingSection(find(report, 'loss')[0], find(report, 'gradientClip')[0], find(report, 'updateRatio')[0]));
  for (const r of find(report, 'stateGradNorms')) parts.push(gradSection(r));
  for (const r of find(report, 'stateJacobian')) parts.push(jacobianSection(r));
  for (const r of find(report, 'gateSaturation')) parts.push(gateSection(r, find(report, 'forgetGate')[0]));
  for (const r of find(report, 'stateNorms')) parts.push(stateNormSection(r));
  for (const r of find(report, 'memory')) parts.push(memorySection(r));
  const json =
    options.embedJson === false
      ? ''
      : `<script type="application/json" id="report">${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c')}</script>`;
  const css =
    'body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:2em}' +
    'table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}svg{display:block;margin:1em 0;max-width:100%;height:auto}' +
    '.note{color:#555;font-size:13px}.bad{color:#b00;font-weight:600}.good{color:#070}';
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeXml(title)}</title><style>${css}</style></head><body>${parts.join('\n')}${json}</body></html>\n`;
}
