import {
  fail, gt, isFinite, mul, scalar, scope, sum, treeLeaves, treeMap, where, type ParamTree, type Tensor, type Transform,
} from '@rnnkit/tensor';
import { increment } from './internal/count.js';
import { selectState } from './internal/select-state.js';
import { checkState, firstLeaf } from './internal/trees.js';

export interface ApplyIfFiniteOptions {
  /**
   * After this many non-finite steps in a row, apply the update anyway (default Infinity: never),
   * as Optax's max_consecutive_errors, so a diverged run shows up instead of silently stalling.
   */
  readonly maxConsecutiveErrors?: number;
}

export interface ApplyIfFiniteState<S> {
  readonly inner: S;
  /** Non-finite steps in a row, 0-d i32. */
  readonly notFiniteCount: Tensor;
  /** Steps skipped so far (their updates were zeroed), 0-d i32. */
  readonly skipped: Tensor;
  /** Whether the last gradients were all finite, 0-d bool. */
  readonly lastFinite: Tensor;
}

/** A 0-d bool tensor: true when every element of every tensor in the tree is finite. */
export function allFinite(tree: ParamTree): Tensor {
  const leaves = treeLeaves(tree);
  if (leaves.length === 0) fail('allFinite: the tree holds no tensors.');
  return scope(() => {
    // g · 0 is 0 for finite g and NaN for NaN or ±Inf, so the sum is finite iff all elements are.
    let ok: Tensor | undefined;
    for (const g of leaves) {
      const finite = isFinite(sum(mul(g, 0)));
      ok = ok ? where(ok, finite, ok) : finite;
    }
    return ok!;
  });
}

/**
 * Runs `inner` but discards the step when any gradient is NaN or ±Inf: the updates become 0 and
 * the inner state stays as it was. The choice is made on the device with `where` (no read-back),
 * and the state counts the skips as 0-d tensors.
 */
export function applyIfFinite<S>(inner: Transform<S>, options: ApplyIfFiniteOptions = {}): Transform<ApplyIfFiniteState<S>> {
  const maxErrors = options.maxConsecutiveErrors ?? Infinity;
  if (!(maxErrors >= 0)) fail(`applyIfFinite: maxConsecutiveErrors must be a non-negative number, got ${maxErrors}.`);
  const op = 'applyIfFinite.update';
  return {
    init(params) {
      const be = firstLeaf('applyIfFinite.init', params).backend;
      return { inner: inner.init(params), notFiniteCount: scalar(be, 0, 'i32'), skipped: scalar(be, 0, 'i32'), lastFinite: scalar(be, 1, 'bool') };
    },
    update(grads, state, params) {
      checkState(op, state, ['inner', 'notFiniteCount', 'skipped', 'lastFinite']);
      return scope(() => {
        const finite = allFinite(grads);
        const notFiniteCount = where(finite, 0, increment(state.notFiniteCount));
        const apply = Number.isFinite(maxErrors) ? where(finite, finite, gt(notFiniteCount, maxErrors)) : finite;
        const [u, s] = inner.update(grads, state.inner, params);
        // where is a select: NaN in the discarded branch does not leak into the result.
        const updates = treeMap(u, (t) => where(apply, t, 0)) as ParamTree;
        const next: ApplyIfFiniteState<S> = {
          inner: selectState(op, apply, s, state.inner),
          notFiniteCount,
          skipped: where(apply, state.skipped, increment(state.skipped)),
          lastFinite: finite,
        };
        return [updates, next];
      });
    },
  };
}
