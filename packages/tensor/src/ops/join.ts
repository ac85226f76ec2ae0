import { fail, fmtShape } from '../errors.js';
import { normAxis } from '../shape.js';
import { emit } from '../internal/emit.js';
import { sameBackend, type Tensor } from '../tensor.js';
import { unsqueeze } from './view.js';
import { record } from '../trace.js';

/** Joins tensors along an existing axis; every other axis must match. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) fail('concat: needs at least one tensor.');
  const first = xs[0]!;
  const be = sameBackend('concat', ...xs);
  const a = normAxis('concat', axis, first.rank);
  for (const t of xs) {
    if (t.dtype !== first.dtype) fail(`concat: dtypes differ (${first.dtype} and ${t.dtype}); cast first.`);
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i]))
      fail(`concat: shapes ${xs.map((x) => fmtShape(x.shape)).join(', ')} differ outside axis ${axis}.`);
  }
  const shape = first.shape.map((d, i) => (i === a ? xs.reduce((s, t) => s + t.shape[a]!, 0) : d));
  const h = be.kernels.concat(xs.map((t) => t.view('concat')), a);
  return emit('concat', xs, h, shape, first.dtype, { axis: a });
}

/**
 * Splits along `axis` into pieces of the given sizes, or into `sections` equal pieces. Views (no
 * copy), recorded as one primitive, so the gradient is a single concat of the pieces' gradients.
 */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  x.view('split');
  const a = normAxis('split', axis, x.rank);
  const dim = x.shape[a]!;
  let list: number[];
  if (typeof sizes === 'number') {
    if (sizes <= 0 || dim % sizes !== 0) fail(`split: axis ${axis} of ${fmtShape(x.shape)} (size ${dim}) does not split into ${sizes} equal parts.`);
    list = new Array<number>(sizes).fill(dim / sizes);
  } else list = [...sizes];
  if (list.some((n) => !Number.isInteger(n) || n < 0) || list.reduce((s, v) => s + v, 0) !== dim)
    fail(`split: sizes ${fmtShape(list)} do not add up to ${dim}, the size of axis ${axis} of ${fmtShape(x.shape)}.`);
  let start = 0;
  const pieces = list.map((n) => {
    const shape = x.shape.map((d, i) => (i === a ? n : d));
    const piece = x.withLayout(shape, x.strides, x.offset + start * x.strides[a]!);
    start += n;
    return piece;
  });
  record('split', [x], pieces, { axis: a, sizes: list });
  return pieces;
}

/** Stacks same-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) fail('stack: needs at least one tensor.');
  const lifted = xs.map((t) => unsqueeze(t, axis < 0 ? axis + t.rank + 1 : axis));
  try {
    return concat(lifted, axis < 0 ? axis + xs[0]!.rank + 1 : axis);
  } finally {
    for (const t of lifted) t.dispose();
  }
}
