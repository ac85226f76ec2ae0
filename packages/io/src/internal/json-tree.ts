import { fail } from '@rnnkit/tensor';

/** The plain-data kinds a checkpoint's metadata holds. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** JSON.stringify that refuses what JSON cannot hold exactly (NaN, ±Infinity, functions, classes). */
export function strictJson(op: string, what: string, value: unknown): string {
  const check = (v: unknown, path: string): void => {
    const at = path ? `${what}.${path}` : what;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(`${op}: ${at} is ${v}, which JSON cannot hold; store it as a string.`);
      return;
    }
    if (Array.isArray(v)) return v.forEach((x, i) => check(x, path ? `${path}.${i}` : String(i)));
    if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) if (x !== undefined) check(x, path ? `${path}.${k}` : k);
      return;
    }
    fail(`${op}: ${at} is a ${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}; it must be JSON data (numbers, strings, booleans, null, arrays, plain objects).`);
  };
  check(value, '');
  return JSON.stringify(value);
}

/** The first place two JSON values differ, as 'key.sub: a vs b', or undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  const at = path || '(root)';
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${at} has ${a.length} entries in the checkpoint but ${b.length} were expected`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], path ? `${path}.${i}` : String(i));
      if (d) return d;
    }
    return undefined;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => a[k] !== undefined || b[k] !== undefined));
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      if (a[k] === undefined) return `${p} is missing from the checkpoint (expected ${JSON.stringify(b[k])})`;
      if (b[k] === undefined) return `${p} is ${JSON.stringify(a[k])} in the checkpoint but not expected`;
      const d = firstDifference(a[k], b[k], p);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${at} is ${JSON.stringify(a)} in the checkpoint but ${JSON.stringify(b)} was expected`;
}
