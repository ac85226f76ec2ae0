// A small, dependency-free SVG line chart: linear or log axes, ticks, axis labels, a legend.
// Used by the experiments to draw their committed charts; the output is a plain, self-contained SVG.

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
  /** Stroke colour; a palette colour when omitted. */
  readonly color?: string;
  /** Draw the line dashed. */
  readonly dashed?: boolean;
}

export interface Axis {
  readonly label: string;
  /** Logarithmic (base 10) scale; every value must then be > 0. */
  readonly log?: boolean;
  /** Range; taken from the data (padded to nice values) when omitted. */
  readonly min?: number;
  readonly max?: number;
  /** Tick values; chosen automatically when omitted. */
  readonly ticks?: readonly number[];
  /** Formats a tick label. */
  readonly format?: (v: number) => string;
}

export interface LineChartOptions {
  readonly title: string;
  readonly x: Axis;
  readonly y: Axis;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
  /** Where the legend sits inside the plot area. */
  readonly legend?: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** Tick labels without float noise: 10000 → "10000", 0.001 → "0.001", 1e-7 → "1e-7". */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(0).replace('e+', 'e');
  return fmt(v);
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

interface Scale {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  readonly map: (v: number, from: number, to: number) => number;
}

function scaleOf(axis: Axis, values: readonly number[]): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let lo = axis.min ?? (finite.length ? Math.min(...finite) : 0);
  let hi = axis.max ?? (finite.length ? Math.max(...finite) : 1);
  if (axis.log) {
    if (axis.min === undefined) lo = 10 ** Math.floor(Math.log10(lo) + 1e-9);
    if (axis.max === undefined) hi = 10 ** Math.ceil(Math.log10(hi) - 1e-9);
    if (hi <= lo) hi = lo * 10;
    const ticks = axis.ticks ?? logTicks(lo, hi);
    const [a, b] = [Math.log10(lo), Math.log10(hi)];
    return { min: lo, max: hi, ticks, map: (v, from, to) => from + ((Math.log10(v) - a) / (b - a)) * (to - from) };
  }
  if (hi <= lo) hi = lo + 1;
  const step = niceStep(hi - lo, 5);
  if (axis.min === undefined) lo = Math.floor(lo / step) * step;
  if (axis.max === undefined) hi = Math.ceil(hi / step) * step;
  const ticks = axis.ticks ?? Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step).filter((t) => t <= hi + step * 1e-9);
  return { min: lo, max: hi, ticks, map: (v, from, to) => from + ((v - lo) / (hi - lo)) * (to - from) };
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const decades = Math.log10(hi / lo);
  const mults = decades <= 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of mults) {
      const v = m * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(Number(v.toPrecision(6)));
    }
  return out;
}

/** One line chart as a standalone `<svg>` element. */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 420;
  const m = { left: 72, right: 20, top: 40, bottom: 56 };
  const [x0, x1, y0, y1] = [m.left, width - m.right, height - m.bottom, m.top];
  const all = options.series.flatMap((s) => s.points);
  const xs = scaleOf(options.x, all.map((p) => p.x));
  const ys = scaleOf(options.y, all.map((p) => p.y));
  const px = (v: number) => xs.map(v, x0, x1);
  const py = (v: number) => ys.map(v, y0, y1);
  const fx = options.x.format ?? formatTick;
  const fy = options.y.format ?? formatTick;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(options.title)}</text>`);
  // Grid and ticks.
  for (const t of xs.ticks) {
    const x = px(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${y0 + 18}" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  for (const t of ys.ticks) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${x0 - 5}" y1="${y}" x2="${x0}" y2="${y}" stroke="#333"/>`);
    out.push(`<text x="${x0 - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fy(t))}</text>`);
  }
  out.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="${height - 14}" text-anchor="middle" font-size="13">${esc(options.x.label)}</text>`);
  out.push(`<text transform="translate(18 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" font-size="13">${esc(options.y.label)}</text>`);
  // Lines and markers.
  options.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!options.x.log || p.x > 0) && (!options.y.log || p.y > 0));
    if (pts.length === 0) return;
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const p of pts) out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${s.name}: (${fmt(p.x)}, ${fmt(p.y)})`)}</title></circle>`);
  });
  // Legend.
  const where = options.legend ?? 'top-right';
  const lw = 12 + Math.max(...options.series.map((s) => s.name.length)) * 7 + 34;
  const lh = 10 + options.series.length * 18;
  const lx = where.endsWith('left') ? x0 + 10 : x1 - 10 - lw;
  const ly = where.startsWith('top') ? y1 + 10 : y0 - 10 - lh;
  out.push(`<rect x="${lx}" y="${ly}" width="${lw}" height="${lh}" fill="#ffffff" fill-opacity="0.9" stroke="#999"/>`);
  options.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const y = ly + 14 + i * 18;
    out.push(`<line x1="${lx + 8}" y1="${y}" x2="${lx + 34}" y2="${y}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<circle cx="${lx + 21}" cy="${y}" r="3.5" fill="${color}"/>`);
    out.push(`<text x="${lx + 42}" y="${y}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Places charts (each from `lineChart`) side by side in one SVG. */
export function sideBySide(charts: readonly { readonly svg: string; readonly width: number; readonly height: number }[]): string {
  const width = charts.reduce((s, c) => s + c.width, 0);
  const height = Math.max(...charts.map((c) => c.height));
  let x = 0;
  const parts = charts.map((c) => {
    const inner = c.svg.replace('<svg ', `<svg x="${x}" y="0" `);
    x += c.width;
    return inner;
  });
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`, ...parts, '</svg>', ''].join('\n');
}
