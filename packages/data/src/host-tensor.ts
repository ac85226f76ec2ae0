import { dtypeOfArray, fail, fmtShape, sizeOf, type DType, type TypedArrayFor } from '@rnnkit/tensor';

/**
 * An array on the host with a shape: what the data pipeline produces before anything touches a
 * backend. `data` is row-major and contiguous; `uploadBatch` turns it into a `Tensor`.
 */
export interface HostTensor<D extends DType = DType> {
  readonly data: TypedArrayFor[D];
  readonly shape: readonly number[];
  readonly dtype: D;
}

/**
 * Wraps a TypedArray and a shape as a `HostTensor` (dtype from the array: Float32Array → 'f32',
 * Float64Array → 'f64', Int32Array → 'i32', Uint8Array → 'bool'). Fails when the sizes differ.
 *
 * @example
 * const ids = hostTensor(new Int32Array([1, 2, 3, 4, 5, 6]), [2, 3]); // [B, T] i32
 */
export function hostTensor<D extends DType>(data: TypedArrayFor[D], shape: readonly number[]): HostTensor<D> {
  if (sizeOf(shape) !== data.length) fail(`hostTensor: ${data.length} values cannot fill shape ${fmtShape(shape)} (${sizeOf(shape)} elements).`);
  return { data, shape: [...shape], dtype: dtypeOfArray(data) as D };
}

/** Whether `v` looks like a `HostTensor` (a TypedArray `data`, an array `shape` and a `dtype`). */
export function isHostTensor(v: unknown): v is HostTensor {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Partial<HostTensor>;
  return ArrayBuffer.isView(h.data) && Array.isArray(h.shape) && typeof h.dtype === 'string';
}
