import { allocate, sizeOf } from '@rnnkit/tensor';
import type { DType, Shape, TypedArray } from '@rnnkit/tensor';
import { castValue } from './cast.js';

/** A new contiguous tensor of `shape` holding `value` (converted as a cast to `dtype` would). */
export function fill(shape: Shape, dtype: DType, value: number): TypedArray {
  return allocate(dtype, sizeOf(shape)).fill(castValue(value, dtype));
}
