import { add, fail, mul, scope, type Tensor, type Transform } from '@rnnkit/tensor';
import type { EmptyState } from './identity.js';
import { alias, checkEmptyState, requireParams, zipLeaves } from './internal/trees.js';

export interface WeightDecayOptions {
  /** Which parameters decay, by dotted path (default all); e.g. `(path) => !path.endsWith('bias')`. */
  readonly mask?: (path: string, param: Tensor) => boolean;
}

/**
 * updates + weightDecay · params. Where it sits in a chain decides its meaning: after the
 * adaptive scaling it is decoupled weight decay (AdamW, `addDecayedWeights`); before it, it is an
 * L2 penalty on the loss (torch's `weight_decay` for SGD, Adam, RMSprop…, `addL2`).
 */
function addScaledParams(name: string, rate: number, options: WeightDecayOptions): Transform<EmptyState> {
  if (!(rate >= 0 && Number.isFinite(rate))) fail(`${name}: weight decay must be a non-negative finite number, got ${rate}.`);
  const op = `${name}.update`;
  return {
    init: () => ({}),
    update: (grads, state, params) =>
      scope(() => {
        checkEmptyState(op, state);
        const p = requireParams(op, params);
        const updates = zipLeaves(op, [['grads', grads], ['params', p]], ([g, w], path) =>
          rate === 0 || (options.mask && !options.mask(path, w!)) ? alias(g!) : add(g!, mul(w!, rate)),
        );
        return [updates, {}];
      }),
  };
}

/**
 * Decoupled weight decay (Loshchilov & Hutter): adds weightDecay · params to the updates. Put it
 * after the optimiser's scaling and before scaleByLearningRate, as `adamw` does, so the decay is
 * lr · weightDecay · params per step, untouched by the adaptive denominators.
 */
export function addDecayedWeights(weightDecay: number, options: WeightDecayOptions = {}): Transform<EmptyState> {
  return addScaledParams('addDecayedWeights', weightDecay, options);
}

/**
 * Coupled (L2) weight decay: g + weightDecay · params before any scaling, exactly what torch's
 * `weight_decay` argument does for SGD, Adam, Adamax, RMSprop, Adagrad and Adadelta.
 */
export function addL2(weightDecay: number, options: WeightDecayOptions = {}): Transform<EmptyState> {
  return addScaledParams('addL2', weightDecay, options);
}
