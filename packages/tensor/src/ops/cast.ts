import type { DType } from '../dtype.js';
import { emit, requireSupported } from '../internal/emit.js';
import type { Tensor } from '../tensor.js';

/** Converts to `dtype` (float → i32 truncates toward zero; to bool is `x != 0`). Always new memory. */
export function cast(x: Tensor, dtype: DType): Tensor {
  const v = x.view('cast');
  requireSupported('cast', x.backend, dtype);
  return emit('cast', [x], x.backend.kernels.cast(v, dtype), x.shape, dtype, { dtype });
}
