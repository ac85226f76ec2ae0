import { cast, fail, mul, neg, scope, treeMap, type ParamTree, type Tensor, type Transform } from '@rnnkit/tensor';
import { increment, zeroCount } from './internal/count.js';
import { perDType } from './internal/per-dtype.js';
import { checkState, firstLeaf } from './internal/trees.js';
import type { Schedule } from './schedule.js';

/** A fixed learning rate, or a schedule of the step count. */
export type LearningRate = number | Schedule;

export interface ScaleByLearningRateState {
  /** Updates applied so far, 0-d i32: the schedule's input. */
  readonly count: Tensor;
}

export function checkLearningRate(op: string, lr: LearningRate): void {
  if (typeof lr === 'function') return;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)
    fail(`${op}: the learning rate must be a non-negative finite number or a schedule, got ${String(lr)}. Updates are already −lr · direction (the Optax convention); to ascend, negate the loss.`);
}

/**
 * Multiplies the updates by −lr (the Optax convention: updates are added to the parameters, so
 * descent carries the minus sign here). A schedule sees the number of updates applied so far.
 */
export function scaleByLearningRate(lr: LearningRate): Transform<ScaleByLearningRateState> {
  checkLearningRate('scaleByLearningRate', lr);
  const op = 'scaleByLearningRate.update';
  return {
    init: (params) => ({ count: zeroCount(firstLeaf('scaleByLearningRate.init', params)) }),
    update(grads, state) {
      checkState(op, state, ['count']);
      return scope(() => {
        const step = perDType((dtype) => (typeof lr === 'number' ? -lr : neg(lr(cast(state.count, dtype)))));
        const updates = treeMap(grads, (u) => mul(u, step(u.dtype))) as ParamTree;
        return [updates, { count: increment(state.count) }];
      });
    },
  };
}
