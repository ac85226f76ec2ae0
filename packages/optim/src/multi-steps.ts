import { add, div, eq, fail, scalar, scope, treeMap, where, zerosLike, type ParamTree, type Tensor, type Transform } from '@rnnkit/tensor';
import { selectState } from './internal/select-state.js';
import { checkState, firstLeaf, zipLeaves } from './internal/trees.js';

export interface MultiStepsOptions {
  /** Micro-batches per optimiser step. */
  readonly every: number;
  /** Average the accumulated gradients (default true); false sums them. */
  readonly mean?: boolean;
}

export interface MultiStepsState<S> {
  /** Micro-batches accumulated since the last real step, 0-d i32 in [0, every). */
  readonly miniStep: Tensor;
  /** Sum of the gradients since the last real step. */
  readonly acc: ParamTree;
  readonly inner: S;
}

/**
 * Gradient accumulation (Optax's MultiSteps): call update once per micro-batch; every `every`-th
 * call runs `inner` on the mean (or sum) of the accumulated gradients, the others return zero
 * updates and leave `inner`'s state alone. Decided on the device: inner runs on every call and
 * `where` keeps its result only on the last micro-batch, so nothing is read back.
 */
export function multiSteps<S>(inner: Transform<S>, options: MultiStepsOptions): Transform<MultiStepsState<S>> {
  const { every, mean = true } = options;
  if (!Number.isInteger(every) || every < 1) fail(`multiSteps: every must be a positive integer (micro-batches per step), got ${every}.`);
  const op = 'multiSteps.update';
  return {
    init: (params) => ({
      miniStep: scalar(firstLeaf('multiSteps.init', params).backend, 0, 'i32'),
      acc: treeMap(params, zerosLike),
      inner: inner.init(params),
    }),
    update(grads, state, params) {
      checkState(op, state, ['miniStep', 'acc', 'inner']);
      return scope(() => {
        const acc = zipLeaves(op, [['grads', grads], ['state.acc', state.acc]], ([g, a]) => add(a!, g!)) as ParamTree;
        const last = eq(state.miniStep, every - 1);
        const combined = mean && every > 1 ? (treeMap(acc, (a) => div(a, every)) as ParamTree) : acc;
        const [u, s] = inner.update(combined, state.inner, params);
        const next: MultiStepsState<S> = {
          miniStep: where(last, 0, add(state.miniStep, 1)),
          acc: treeMap(acc, (a) => where(last, 0, a)),
          inner: selectState(op, last, s, state.inner),
        };
        return [treeMap(u, (t) => where(last, t, 0)), next];
      });
    },
  };
}
