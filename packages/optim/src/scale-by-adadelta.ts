import { add, div, fail, mul, scope, sqrt, treeMap, zerosLike, type ParamTree, type Transform } from '@rnnkit/tensor';
import { checkState, unzipLeaves } from './internal/trees.js';
import { checkEps } from './scale-by-adam.js';

export interface ScaleByAdadeltaOptions {
  /** Decay rate of both running averages (default 0.9). */
  readonly rho?: number;
  /** Added inside both roots, as torch does (default 1e-6). */
  readonly eps?: number;
}

export interface ScaleByAdadeltaState {
  /** Running average of g² (square_avg). */
  readonly squareAvg: ParamTree;
  /** Running average of the squared steps (acc_delta). */
  readonly accDelta: ParamTree;
}

/**
 * The Adadelta step, as torch.optim.Adadelta before its lr: v ← ρv + (1−ρ)g²,
 * d = √(a + eps) / √(v + eps) · g, a ← ρa + (1−ρ)d². The average `a` tracks d before the lr scales it.
 */
export function scaleByAdadelta(options: ScaleByAdadeltaOptions = {}): Transform<ScaleByAdadeltaState> {
  const rho = options.rho ?? 0.9;
  const eps = options.eps ?? 1e-6;
  if (!(rho >= 0 && rho <= 1)) fail(`scaleByAdadelta: rho must lie in [0, 1], got ${rho}.`);
  checkEps('scaleByAdadelta', eps);
  const op = 'scaleByAdadelta.update';
  return {
    init: (params) => ({ squareAvg: treeMap(params, zerosLike), accDelta: treeMap(params, zerosLike) }),
    update(grads, state) {
      checkState(op, state, ['squareAvg', 'accDelta']);
      return scope(() => {
        const trees: [string, ParamTree][] = [['grads', grads], ['state.squareAvg', state.squareAvg], ['state.accDelta', state.accDelta]];
        const out = unzipLeaves(op, trees, ([g, v, a]) => {
          const squareAvg = add(mul(v!, rho), mul(mul(g!, g!), 1 - rho));
          const delta = mul(div(sqrt(add(a!, eps)), sqrt(add(squareAvg, eps))), g!);
          const accDelta = add(mul(a!, rho), mul(mul(delta, delta), 1 - rho));
          return { u: delta, squareAvg, accDelta };
        });
        return [out.u, { squareAvg: out.squareAvg, accDelta: out.accDelta }];
      });
    },
  };
}
