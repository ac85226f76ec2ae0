import { contiguousStrides, toTypedArray } from '@rnnkit/tensor';
import type { Backend, DType, Shape, View } from '@rnnkit/tensor';
import { createCpuBackend } from '../src/index.js';
import type { CpuHandle } from '../src/index.js';

export type CpuBackend = Backend<CpuHandle>;

export function makeBackend(): CpuBackend {
  return createCpuBackend();
}

/** A view over `handle`; contiguous unless strides/offset are given. */
export function viewOf(handle: CpuHandle, dtype: DType, shape: Shape, strides?: readonly number[], offset = 0): View<CpuHandle> {
  return { handle, dtype, shape, strides: strides ?? contiguousStrides(shape), offset };
}

/** Uploads numbers as a contiguous tensor of `shape`. */
export function up(be: CpuBackend, values: readonly number[], shape: Shape, dtype: DType = 'f64'): View<CpuHandle> {
  return viewOf(be.upload(toTypedArray(dtype, values), dtype), dtype, shape);
}

/** Reads a kernel's result as plain numbers. */
export function values(be: CpuBackend, handle: CpuHandle): number[] {
  return Array.from(be.readSync!(viewOf(handle, 'f64', [handle.data.length])));
}
