import { escapeXml, fmt, niceTicks, viridis } from './internal.js';

export interface HeatMapOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Label of each column (x) and row (y); default their indices. */
  readonly xValues?: readonly number[];
  readonly yValues?: readonly number[];
  readonly width?: number;
  readonly height?: number;
  /** Colour by log10 of the value (non-positive values are blank). */
  readonly log?: boolean;
  /** Name of the value, for the colour bar. */
  readonly valueLabel?: string;
}

/**
 * A self-contained SVG heat map of values[row][col] on the viridis scale, with a colour bar.
 * Null or non-finite cells are left grey.
 */
export function heatMap(values: readonly (readonly (number | null)[])[], options: HeatMapOptions = {}): string {
  const W = options.width ?? 640;
  const H = options.height ?? 300;
  const m = { l: 64, r: 84, t: options.title ? 28 : 12, b: 44 };
  const rows = values.length;
  const cols = Math.max(0, ...values.map((r) => r.length));
  const log = options.log ?? false;
  const tv = (v: number | null): number | null => (v === null || !Number.isFinite(v) || (log && !(v > 0)) ? null : log ? Math.log10(v) : v);
  const all = values.flatMap((r) => r.map(tv)).filter((v): v is number => v !== null);
  const title = options.title ? `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(options.title)}</text>` : '';
  if (rows === 0 || cols === 0 || all.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img">${title}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#888">no data</text></svg>`;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const cw = pw / cols;
  const rh = ph / rows;
  const parts: string[] = [title, `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="#ddd"/>`];
  const xv = options.xValues ?? Array.from({ length: cols }, (_, i) => i);
  const yv = options.yValues ?? Array.from({ length: rows }, (_, i) => i);
  values.forEach((row, r) =>
    row.forEach((v, c) => {
      const u = tv(v);
      if (u === null) return;
      // Row 0 at the top; overlap by half a pixel so no seams show.
      parts.push(
        `<rect x="${(m.l + c * cw).toFixed(2)}" y="${(m.t + r * rh).toFixed(2)}" width="${(cw + 0.5).toFixed(2)}" height="${(rh + 0.5).toFixed(2)}" fill="${viridis((u - lo) / (hi - lo))}"><title>${escapeXml(`${options.yLabel ?? 'row'} ${yv[r] ?? r}, ${options.xLabel ?? 'col'} ${xv[c] ?? c}: ${fmt(v!)}`)}</title></rect>`,
      );
    }),
  );
  // Axis labels: a few columns and rows.
  const pick = (n: number, k: number) => (n <= k ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1))));
  for (const c of pick(cols, 8))
    parts.push(`<text x="${(m.l + (c + 0.5) * cw).toFixed(1)}" y="${m.t + ph + 16}" text-anchor="middle" font-size="11">${escapeXml(fmt(xv[c] ?? c))}</text>`);
  for (const r of pick(rows, 6))
    parts.push(`<text x="${m.l - 6}" y="${(m.t + (r + 0.5) * rh + 4).toFixed(1)}" text-anchor="end" font-size="11">${escapeXml(fmt(yv[r] ?? r))}</text>`);
  // Colour bar.
  const bx = W - m.r + 16;
  const n = 32;
  for (let i = 0; i < n; i++)
    parts.push(`<rect x="${bx}" y="${(m.t + (ph * (n - 1 - i)) / n).toFixed(2)}" width="14" height="${(ph / n + 0.5).toFixed(2)}" fill="${viridis(i / (n - 1))}"/>`);
  for (const v of niceTicks(lo, hi, 4)) {
    const y = m.t + ph - ((v - lo) / (hi - lo)) * ph;
    parts.push(`<text x="${bx + 18}" y="${(y + 4).toFixed(1)}" font-size="10">${escapeXml(log ? `1e${fmt(v)}` : fmt(v))}</text>`);
  }
  if (options.valueLabel)
    parts.push(`<text transform="translate(${W - 6} ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="11">${escapeXml(options.valueLabel)}</text>`);
  if (options.xLabel) parts.push(`<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${escapeXml(options.xLabel)}</text>`);
  if (options.yLabel) parts.push(`<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(options.yLabel)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" role="img">${parts.join('')}</svg>`;
}
