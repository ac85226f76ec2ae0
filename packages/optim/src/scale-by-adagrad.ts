import { add, div, fail, mul, scope, sqrt, treeMap, fullLike, type ParamTree, type Transform } from '@rnnkit/tensor';
import { checkState, unzipLeaves } from './internal/trees.js';
import { checkEps } from './scale-by-adam.js';

export interface ScaleByAdagradOptions {
  /** Starting value of the sum of squares (default 0, as torch). */
  readonly initialAccumulatorValue?: number;
  /** Added to the root, outside it (default 1e-10, as torch). */
  readonly eps?: number;
}

export interface ScaleByAdagradState {
  /** Sum of g² over all steps (state_sum). */
  readonly sum: ParamTree;
}

/** g / (√Σg² + eps), as torch.optim.Adagrad before the learning rate. */
export function scaleByAdagrad(options: ScaleByAdagradOptions = {}): Transform<ScaleByAdagradState> {
  const initial = options.initialAccumulatorValue ?? 0;
  const eps = options.eps ?? 1e-10;
  if (!(initial >= 0 && Number.isFinite(initial))) fail(`scaleByAdagrad: initialAccumulatorValue must be a non-negative finite number, got ${initial}.`);
  checkEps('scaleByAdagrad', eps);
  const op = 'scaleByAdagrad.update';
  return {
    init: (params) => ({ sum: treeMap(params, (p) => fullLike(p, initial)) }),
    update(grads, state) {
      checkState(op, state, ['sum']);
      return scope(() => {
        const out = unzipLeaves(op, [['grads', grads], ['state.sum', state.sum]], ([g, s]) => {
          const sum = add(s!, mul(g!, g!));
          return { u: div(g!, add(sqrt(sum), eps)), sum };
        });
        return [out.u, { sum: out.sum }];
      });
    },
  };
}
