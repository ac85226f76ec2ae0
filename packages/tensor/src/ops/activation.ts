import type { Tensor } from '../tensor.js';
import { untraced } from '../trace.js';
import { normAxis } from '../shape.js';
import { requireFloat } from '../internal/emit.js';
import { add, exp, gt, log, lt, sub, div, where, type Operand } from './elementwise.js';
import { reshape } from './view.js';
import { max, sum } from './reduce.js';

// Disposes temporaries of a composite op once its result exists (tracers keep what they need).
function done<T>(result: T, ...temps: Tensor[]): T {
  for (const t of temps) t.dispose();
  return result;
}

/** max(x, 0); its gradient at 0 is 0, as in PyTorch. */
export function relu(x: Tensor): Tensor {
  const pos = gt(x, 0);
  return done(where(pos, x, 0), pos);
}

/** Limits x to [lo, hi]; the gradient passes where lo ≤ x ≤ hi, as in PyTorch. */
export function clamp(x: Tensor, lo: Operand, hi: Operand): Tensor {
  const below = lt(x, lo);
  const above = gt(x, hi);
  const upper = where(above, hi, x);
  return done(where(below, lo, upper), below, above, upper);
}

// The max is a constant shift (softmax does not depend on it), so it is computed outside tracing.
function shifted(x: Tensor, axis: number): Tensor {
  const m = untraced(() => max(x, axis, true));
  return done(sub(x, m), m);
}

/** log Σ exp(x) along `axis`, stable for large inputs. Keeps the axis when `keepDims`. */
export function logSumExp(x: Tensor, axis = -1, keepDims = false): Tensor {
  requireFloat('logSumExp', x);
  const a = normAxis('logSumExp', axis, x.rank);
  const m = untraced(() => max(x, a, true));
  const z = sub(x, m);
  const e = exp(z);
  const s = sum(e, a, keepDims);
  const l = log(s);
  const mm = keepDims ? m : reshape(m, l.shape);
  return done(add(l, mm), m, z, e, s, l, ...(mm === m ? [] : [mm]));
}

/** exp(x) / Σ exp(x) along `axis`, computed from x − max(x) so it never overflows. */
export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('softmax', x);
  const a = normAxis('softmax', axis, x.rank);
  const z = shifted(x, a);
  const e = exp(z);
  const s = sum(e, a, true);
  return done(div(e, s), z, e, s);
}

/** x − logΣexp(x) along `axis`, stable for large inputs. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  requireFloat('logSoftmax', x);
  const a = normAxis('logSoftmax', axis, x.rank);
  const z = shifted(x, a);
  const e = exp(z);
  const s = sum(e, a, true);
  const l = log(s);
  return done(sub(z, l), z, e, s, l);
}
