import {
  abs, add, cast, div, maximum, mul, pow, scope, sub, treeMap, zerosLike, type ParamTree, type Tensor, type Transform,
} from '@rnnkit/tensor';
import { increment, zeroCount } from './internal/count.js';
import { perDType } from './internal/per-dtype.js';
import { checkState, firstLeaf, unzipLeaves } from './internal/trees.js';
import { checkBetas, checkEps } from './scale-by-adam.js';

export interface ScaleByAdamaxOptions {
  /** Decay rates of the first moment and of the infinity norm (default [0.9, 0.999]). */
  readonly betas?: readonly [number, number];
  /** Added to |g| before the maximum, as torch does (default 1e-8). */
  readonly eps?: number;
}

export interface ScaleByAdamaxState {
  readonly count: Tensor;
  /** First moment (exp_avg). */
  readonly mu: ParamTree;
  /** Exponentially weighted infinity norm (exp_inf). */
  readonly inf: ParamTree;
}

/**
 * The Adamax direction, as torch.optim.Adamax: m ← β₁m + (1−β₁)g, u ← max(β₂u, |g| + eps),
 * direction = m / ((1 − β₁ᵗ) · u).
 */
export function scaleByAdamax(options: ScaleByAdamaxOptions = {}): Transform<ScaleByAdamaxState> {
  const [b1, b2] = options.betas ?? [0.9, 0.999];
  const eps = options.eps ?? 1e-8;
  checkBetas('scaleByAdamax', [b1, b2]);
  checkEps('scaleByAdamax', eps);
  const op = 'scaleByAdamax.update';
  return {
    init: (params) => ({
      count: zeroCount(firstLeaf('scaleByAdamax.init', params)),
      mu: treeMap(params, zerosLike),
      inf: treeMap(params, zerosLike),
    }),
    update(grads, state) {
      checkState(op, state, ['count', 'mu', 'inf']);
      return scope(() => {
        const count = increment(state.count);
        const bc = perDType((dtype) => sub(1, pow(b1, cast(count, dtype))));
        const out = unzipLeaves(op, [['grads', grads], ['state.mu', state.mu], ['state.inf', state.inf]], ([g, m, u]) => {
          const mu = add(mul(m!, b1), mul(g!, 1 - b1));
          const inf = maximum(mul(u!, b2), add(abs(g!), eps));
          return { u: div(div(mu, bc(g!.dtype)), inf), mu, inf };
        });
        return [out.u, { count, mu: out.mu, inf: out.inf }];
      });
    },
  };
}
