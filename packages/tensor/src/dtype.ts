/** Element types a tensor can hold. `bool` is stored as one byte per element (0 or 1). */
export type DType = 'f32' | 'f64' | 'i32' | 'bool';

/** The TypedArray that carries each dtype's data on the host. */
export interface TypedArrayFor {
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  bool: Uint8Array;
}
export type TypedArray = TypedArrayFor[DType];

export const DTYPES: readonly DType[] = ['f32', 'f64', 'i32', 'bool'];

export function bytesPerElement(dtype: DType): number {
  return dtype === 'f64' ? 8 : dtype === 'bool' ? 1 : 4;
}

export function isFloat(dtype: DType): dtype is 'f32' | 'f64' {
  return dtype === 'f32' || dtype === 'f64';
}

export function allocate<D extends DType>(dtype: D, size: number): TypedArrayFor[D] {
  switch (dtype) {
    case 'f32': return new Float32Array(size) as TypedArrayFor[D];
    case 'f64': return new Float64Array(size) as TypedArrayFor[D];
    case 'i32': return new Int32Array(size) as TypedArrayFor[D];
    default: return new Uint8Array(size) as TypedArrayFor[D];
  }
}

/** Copies numbers into a fresh array of `dtype`, rounding as the dtype does (bool: non-zero → 1). */
export function toTypedArray<D extends DType>(dtype: D, data: ArrayLike<number | boolean>): TypedArrayFor[D] {
  const out = allocate(dtype, data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    out[i] = dtype === 'bool' ? (v !== 0 ? 1 : 0) : v;
  }
  return out;
}

export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'f32';
  if (data instanceof Float64Array) return 'f64';
  if (data instanceof Int32Array) return 'i32';
  return 'bool';
}
