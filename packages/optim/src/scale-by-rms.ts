import { add, div, fail, maximum, mul, scope, sqrt, sub, treeMap, fullLike, zerosLike, type ParamTree, type Transform } from '@rnnkit/tensor';
import { checkState, unzipLeaves } from './internal/trees.js';
import { checkEps } from './scale-by-adam.js';

export interface ScaleByRmsOptions {
  /** Decay rate of the running averages (torch's alpha; default 0.99). */
  readonly alpha?: number;
  /** Added to the root, outside it, as torch does (default 1e-8). */
  readonly eps?: number;
  /** Divide by the standard deviation (subtract the squared mean of g) instead of the RMS (default false). */
  readonly centered?: boolean;
  /** Initial value of the average of g² (default 0, as torch). */
  readonly initialScale?: number;
}

export interface ScaleByRmsState {
  /** Running average of g² (square_avg). */
  readonly nu: ParamTree;
  /** Running average of g (grad_avg), only when centered. */
  readonly mu?: ParamTree;
}

/**
 * g / (√v + eps) with v ← αv + (1−α)g² (torch.optim.RMSprop before momentum and lr); centered
 * uses √(v − m²) with m ← αm + (1−α)g. (Optax's default puts eps inside the root; torch does not.)
 */
export function scaleByRms(options: ScaleByRmsOptions = {}): Transform<ScaleByRmsState> {
  const alpha = options.alpha ?? 0.99;
  const eps = options.eps ?? 1e-8;
  const centered = options.centered ?? false;
  const initialScale = options.initialScale ?? 0;
  if (!(alpha >= 0 && alpha < 1)) fail(`scaleByRms: alpha must lie in [0, 1), got ${alpha}.`);
  checkEps('scaleByRms', eps);
  const op = 'scaleByRms.update';
  return {
    init: (params) => {
      const nu = treeMap(params, (p) => fullLike(p, initialScale)) as ParamTree;
      return centered ? { nu, mu: treeMap(params, zerosLike) } : { nu };
    },
    update(grads, state) {
      checkState(op, state, centered ? ['nu', 'mu'] : ['nu']);
      if (!centered && state.mu !== undefined) fail(`${op}: the state has 'mu' (centered) but this transform was made with centered false; use the options the state was made with.`);
      return scope(() => {
        const trees: [string, ParamTree][] = [['grads', grads], ['state.nu', state.nu]];
        if (centered) trees.push(['state.mu', state.mu!]);
        const out = unzipLeaves(op, trees, ([g, v, m]) => {
          const nu = add(mul(v!, alpha), mul(mul(g!, g!), 1 - alpha));
          const mu = m ? add(mul(m, alpha), mul(g!, 1 - alpha)) : undefined;
          // v − m² can round below 0 where torch would take √ of a negative; clamp it at 0.
          const variance = mu ? maximum(sub(nu, mul(mu, mu)), 0) : nu;
          return { u: div(g!, add(sqrt(variance), eps)), nu, mu };
        });
        return [out.u, centered ? { nu: out.nu, mu: out.mu } : { nu: out.nu }];
      });
    },
  };
}
