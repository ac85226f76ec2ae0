import { allocate } from '@rnnkit/tensor';
import type { DType, TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import { viewOffsets } from './internal/strided.js';

/** Converts one number the way a cast to `dtype` does. */
export function castValue(v: number, dtype: DType): number {
  if (dtype === 'bool') return v !== 0 ? 1 : 0; // NaN !== 0, so NaN → true, as in torch
  if (dtype === 'i32') return Math.trunc(v) | 0; // toward zero; NaN → 0, out of range wraps
  return v; // f32 stores round to nearest; f64 is exact
}

/** Converts the view to `dtype` (float → i32 truncates toward zero; anything → bool is `!= 0`). */
export function cast(x: View<WasmHandle>, dtype: DType): TypedArray {
  const offsets = viewOffsets(x);
  const src = x.handle.data;
  const out = allocate(dtype, offsets.length);
  for (let i = 0; i < offsets.length; i++) out[i] = castValue(src[offsets[i]!]!, dtype);
  return out;
}
