import { fail } from '@rnnkit/tensor';

/** Returns `v` when it is a positive integer, else fails naming the op and the option. */
export function positiveInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) fail(`${op}: ${name} must be a positive integer, got ${String(v)}.`);
  return v;
}

/** Returns `v` when it is an integer ≥ 0, else fails naming the op and the option. */
export function nonNegativeInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) fail(`${op}: ${name} must be an integer ≥ 0, got ${String(v)}.`);
  return v;
}
