import type { TypedArray } from '@rnnkit/tensor';

/** The CPU backend's storage: one host TypedArray per handle, row-major. */
export interface CpuHandle {
  readonly data: TypedArray;
}
