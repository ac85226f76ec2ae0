/** Least-squares line y = intercept + slope·x over the finite points; null with fewer than two. */
export function linearFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!)) continue;
    n++;
    sx += xs[i]!;
    sy += ys[i]!;
  }
  if (n < 2) return null;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!)) continue;
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** exp(mean(ln v)) over the positive finite values; NaN when there are none. */
export function geometricMean(values: readonly number[]): number {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    s += Math.log(v);
    n++;
  }
  return n === 0 ? Number.NaN : Math.exp(s / n);
}

export function arithmeticMean(values: readonly number[]): number {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    s += v;
    n++;
  }
  return n === 0 ? Number.NaN : s / n;
}

/** JSON has no NaN or Infinity: they become null. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
