import type { RngState } from '@rnnkit/tensor';
import { isRecord } from './json-tree.js';

function isRngState(v: unknown): v is RngState {
  if (!isRecord(v) || !Array.isArray(v.key) || v.key.length !== 2) return false;
  const u32 = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff;
  return u32(v.key[0]) && u32(v.key[1]) && Number.isSafeInteger(v.counter) && (v.counter as number) >= 0;
}

/** Checks an `rng.state()` or a record of them; `bad` receives the problem. */
export function checkRngState(v: unknown, bad: (problem: string) => never): RngState | Record<string, RngState> {
  if (isRngState(v)) return { key: [v.key[0], v.key[1]], counter: v.counter };
  if (isRecord(v) && Object.keys(v).length > 0 && Object.values(v).every(isRngState)) return v as Record<string, RngState>;
  return bad('must be rng.state() ({ key: [u32, u32], counter }) or an object of them by name.');
}
