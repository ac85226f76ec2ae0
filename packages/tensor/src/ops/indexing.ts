import type { DType } from '../dtype.js';
import { fail, fmtShape } from '../errors.js';
import { checkShape, normAxis, type Shape } from '../shape.js';
import { emit, requireDType } from '../internal/emit.js';
import { sameBackend, type Tensor } from '../tensor.js';
import { arange } from './create.js';
import { eq } from './elementwise.js';
import { cast } from './cast.js';
import { unsqueeze } from './view.js';

// Index checks need the values on the host; do them where reads are free (sync backends).
function checkIndices(op: string, indices: Tensor, bound: number): void {
  if (!indices.backend.readSync) return;
  const values = indices.readSync();
  for (const v of values) if (v < 0 || v >= bound) fail(`${op}: index ${v} is out of range [0, ${bound}).`);
}

/** Rows of `table` picked by i32 `indices` along `axis` (embeddings: gather(E [V, H], ids [B, T]) → [B, T, H]). */
export function gather(table: Tensor, indices: Tensor, axis = 0): Tensor {
  const be = sameBackend('gather', table, indices);
  requireDType('gather', indices, 'i32', 'indices');
  const a = normAxis('gather', axis, table.rank);
  checkIndices('gather', indices, table.shape[a]!);
  const shape = [...table.shape.slice(0, a), ...indices.shape, ...table.shape.slice(a + 1)];
  const h = be.kernels.gather(table.view('gather'), indices.view('gather'), a);
  return emit('gather', [table, indices], h, shape, table.dtype, { axis: a });
}

/** Zeros of `shape` with `updates` added at `indices` along `axis`; repeated indices accumulate. The adjoint of gather. */
export function scatterAdd(indices: Tensor, updates: Tensor, shape: Shape, axis = 0): Tensor {
  const be = sameBackend('scatterAdd', indices, updates);
  requireDType('scatterAdd', indices, 'i32', 'indices');
  checkShape('scatterAdd', shape);
  const a = normAxis('scatterAdd', axis, shape.length);
  const expected = [...shape.slice(0, a), ...indices.shape, ...shape.slice(a + 1)];
  if (expected.length !== updates.rank || expected.some((d, i) => d !== updates.shape[i]))
    fail(`scatterAdd: updates ${fmtShape(updates.shape)} must have shape ${fmtShape(expected)} for indices ${fmtShape(indices.shape)} into ${fmtShape(shape)} along axis ${axis}.`);
  checkIndices('scatterAdd', indices, shape[a]!);
  const h = be.kernels.scatterAdd(shape, indices.view('scatterAdd'), updates.view('scatterAdd'), a);
  return emit('scatterAdd', [indices, updates], h, shape, updates.dtype, { axis: a, shape: [...shape] });
}

/** i32 class ids [...] → one-hot [..., depth]. */
export function oneHot(indices: Tensor, depth: number, dtype: DType = 'f32'): Tensor {
  requireDType('oneHot', indices, 'i32', 'indices');
  if (!Number.isInteger(depth) || depth <= 0) fail(`oneHot: depth must be a positive integer, got ${depth}.`);
  const classes = arange(indices.backend, depth);
  const ids = unsqueeze(indices, -1);
  const hits = eq(ids, classes);
  try {
    return cast(hits, dtype);
  } finally {
    for (const t of [classes, ids, hits]) t.dispose();
  }
}
