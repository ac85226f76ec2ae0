import type { DType } from '@rnnkit/tensor';

/** Computes `make(dtype)` once per dtype met (step-dependent scalars shared by all leaves of a dtype). */
export function perDType<T>(make: (dtype: DType) => T): (dtype: DType) => T {
  const cache = new Map<DType, T>();
  return (dtype) => {
    let v = cache.get(dtype);
    if (v === undefined) {
      v = make(dtype);
      cache.set(dtype, v);
    }
    return v;
  };
}
