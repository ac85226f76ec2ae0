import type { DType } from '@rnnkit/tensor';

/** safetensors dtype names of the rnnkit dtypes. */
export const TO_SAFETENSORS: Readonly<Record<DType, string>> = { f32: 'F32', f64: 'F64', i32: 'I32', bool: 'BOOL' };

/** rnnkit dtypes of the safetensors dtype names rnnkit reads. */
export const FROM_SAFETENSORS: Readonly<Record<string, DType>> = { F32: 'f32', F64: 'f64', I32: 'i32', BOOL: 'bool' };

/** Byte widths of every safetensors dtype, so files with others can still be checked and named. */
export const WIDTHS: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** Fails at import time on a big-endian host, where raw TypedArray bytes would not be little-endian. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
