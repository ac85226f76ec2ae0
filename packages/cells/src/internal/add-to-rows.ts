import { add, concat, narrow, type Tensor } from '@rnnkit/tensor';

/** A copy of the vector `v` with `value` added to entries [start, end); disposes `v`. */
export function addToRows(v: Tensor, start: number, end: number, value: number): Tensor {
  const n = v.shape[0]!;
  const before = narrow(v, 0, 0, start);
  const middle = narrow(v, 0, start, end - start);
  const after = narrow(v, 0, end, n - end);
  const shifted = add(middle, value);
  const out = concat([before, shifted, after], 0);
  for (const t of [before, middle, after, shifted, v]) t.dispose();
  return out;
}
