import { escapeXml, fmt, niceTicks, PALETTE } from './internal.js';

export interface LineSeries {
  readonly name: string;
  /** [x, y] points; a null y breaks the line. */
  readonly points: readonly (readonly [number, number | null])[];
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly width?: number;
  readonly height?: number;
  /** Logarithmic y axis (non-positive values are dropped). */
  readonly logY?: boolean;
  /** Horizontal reference lines, e.g. σ = 1. */
  readonly hLines?: readonly { readonly y: number; readonly label?: string }[];
}

/** A self-contained SVG line chart (no scripts, no external assets). */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  const W = options.width ?? 640;
  const H = options.height ?? 300;
  // The legend gets room for its longest name (about 6.5 px per character at 11 px).
  const legend = series.length > 1 ? 40 + 6.5 * Math.max(...series.map((s) => s.name.length)) : 0;
  const m = { l: 64, r: 16 + Math.min(legend, W * 0.45), t: options.title ? 28 : 12, b: 44 };
  const log = options.logY ?? false;
  const ty = (y: number) => (log ? Math.log10(y) : y);
  const ok = (y: number | null): y is number => y !== null && Number.isFinite(y) && (!log || y > 0);
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...series.flatMap((s) => s.points.map((p) => p[1]).filter(ok).map(ty)), ...(options.hLines ?? []).map((h) => h.y).filter(ok).map(ty)];
  const title = options.title ? `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(options.title)}</text>` : '';
  if (xs.length === 0 || ys.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img">${title}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#888">no data</text></svg>`;
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - (Math.abs(y0) || 1) * 0.1, y1 + (Math.abs(y1) || 1) * 0.1];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * pw;
  const py = (y: number) => m.t + ph - ((ty(y) - y0) / (y1 - y0)) * ph;
  const parts: string[] = [title];
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="#fff" stroke="#ccc"/>`);
  const yTicks = log ? niceTicks(Math.ceil(y0), Math.floor(y1), 6).filter(Number.isInteger) : niceTicks(y0, y1, 5);
  for (const v of yTicks) {
    const y = m.t + ph - ((v - y0) / (y1 - y0)) * ph;
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11">${escapeXml(log ? `1e${v}` : fmt(v))}</text>`);
  }
  for (const v of niceTicks(x0, x1, 6)) {
    const x = px(v);
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#666"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${m.t + ph + 16}" text-anchor="middle" font-size="11">${escapeXml(fmt(v))}</text>`);
  }
  for (const h of options.hLines ?? []) {
    if (!ok(h.y)) continue;
    const y = py(h.y).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#999" stroke-dasharray="4 3"/>`);
    if (h.label) parts.push(`<text x="${m.l + pw - 4}" y="${Number(y) - 4}" text-anchor="end" font-size="10" fill="#666">${escapeXml(h.label)}</text>`);
  }
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    let d = '';
    let pen = false;
    for (const [x, y] of s.points) {
      if (!ok(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(x).toFixed(1)} ${py(y).toFixed(1)}`;
      pen = true;
    }
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${escapeXml(s.name)}</title></path>`);
    if (series.length > 1) {
      const ly = m.t + 8 + i * Math.min(16, (ph - 8) / series.length);
      parts.push(`<line x1="${W - m.r + 10}" x2="${W - m.r + 28}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
      parts.push(`<text x="${W - m.r + 32}" y="${ly + 4}" font-size="11">${escapeXml(s.name)}</text>`);
    }
  });
  if (options.xLabel) parts.push(`<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${escapeXml(options.xLabel)}</text>`);
  if (options.yLabel)
    parts.push(`<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(options.yLabel + (log ? ' (log)' : ''))}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" role="img">${parts.join('')}</svg>`;
}
