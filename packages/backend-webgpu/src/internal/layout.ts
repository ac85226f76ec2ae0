import type { View } from '@rnnkit/tensor';

/** Highest rank the strided kernels take after merging axes (uniform space). */
export const MAX_RANK = 6;

export interface Strided {
  readonly offset: number;
  readonly strides: readonly number[];
}

/**
 * Merges axes that every layout walks as one (stride[i] = stride[i+1]·shape[i+1] in each) and
 * drops size-1 axes, so most views reach the kernels as rank 1 or 2.
 */
export function coalesce(shape: readonly number[], layouts: readonly Strided[]): { shape: number[]; layouts: Strided[] } {
  const keep = shape.map((d, i) => i).filter((i) => shape[i] !== 1);
  let dims = keep.map((i) => shape[i]!);
  let strides = layouts.map((l) => keep.map((i) => l.strides[i]!));
  if (shape.some((d) => d === 0)) {
    dims = [0];
    strides = layouts.map(() => [1]);
  }
  const outDims: number[] = [];
  const outStrides: number[][] = layouts.map(() => []);
  for (let i = 0; i < dims.length; i++) {
    const last = outDims.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[i]! * dims[i]!);
    if (mergeable) {
      outDims[last]! *= dims[i]!;
      strides.forEach((s, k) => (outStrides[k]![last] = s[i]!));
    } else {
      outDims.push(dims[i]!);
      strides.forEach((s, k) => outStrides[k]!.push(s[i]!));
    }
  }
  return { shape: outDims, layouts: layouts.map((l, k) => ({ offset: l.offset, strides: outStrides[k]! })) };
}

export function isContiguous(v: View): boolean {
  let expect = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expect) return false;
    expect *= v.shape[i]!;
  }
  return true;
}

/** [min, max] storage index a strided block touches (max < min when empty). */
export function span(shape: readonly number[], l: Strided): [number, number] {
  let lo = l.offset;
  let hi = l.offset;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return [0, -1];
    const d = (shape[i]! - 1) * l.strides[i]!;
    if (d < 0) lo += d;
    else hi += d;
  }
  return [lo, hi];
}
