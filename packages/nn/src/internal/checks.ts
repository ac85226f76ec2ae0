import { fail, fmtShape, isFloat, type Tensor } from '@rnnkit/tensor';

/** Float dtypes a layer's parameters may have. */
export type FloatDType = 'f32' | 'f64';

export function requirePositiveInt(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(`${op}: ${name} must be a positive integer, got ${String(value)}.`);
  return value;
}

export function requireFloatDType(op: string, dtype: unknown): FloatDType {
  if (dtype !== 'f32' && dtype !== 'f64') fail(`${op}: dtype must be 'f32' or 'f64', got ${String(dtype)}.`);
  return dtype;
}

export function requireFloatTensor(op: string, role: string, t: Tensor): void {
  if (!isFloat(t.dtype)) fail(`${op}: ${role} must be f32 or f64, got ${t.dtype} ${fmtShape(t.shape)}; convert it with cast(${role}, 'f32').`);
}

export function requireShape(op: string, role: string, t: Tensor, expected: readonly number[], hint: string): void {
  if (t.rank !== expected.length || t.shape.some((d, i) => d !== expected[i]))
    fail(`${op}: ${role} has shape ${fmtShape(t.shape)} but ${fmtShape(expected)} is expected; ${hint}`);
}
