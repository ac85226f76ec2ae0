import {
  activeTracers, add, cast, div, fail, maximum, mul, pow, sameBackend, scope, sqrt, sub, Tensor, treeMap, zerosLike, type ParamTree, type Transform,
} from '@rnnkit/tensor';
import { increment, zeroCount } from './internal/count.js';
import { perDType } from './internal/per-dtype.js';
import { checkState, firstLeaf, unzipLeaves } from './internal/trees.js';

export interface ScaleByAdamOptions {
  /** Decay rates of the first and second moment (default [0.9, 0.999]). */
  readonly betas?: readonly [number, number];
  /** Added to the bias-corrected root of the second moment (default 1e-8). */
  readonly eps?: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  readonly amsgrad?: boolean;
}

export interface ScaleByAdamState {
  /** Updates applied so far, 0-d i32. */
  readonly count: Tensor;
  /** First moment (exp_avg). */
  readonly mu: ParamTree;
  /** Second moment (exp_avg_sq). */
  readonly nu: ParamTree;
  /** Running maximum of nu (max_exp_avg_sq), only with amsgrad. */
  readonly nuMax?: ParamTree;
}

export function checkBetas(op: string, betas: readonly number[]): void {
  for (const b of betas) if (!(b >= 0 && b < 1)) fail(`${op}: betas must lie in [0, 1), got [${betas.join(', ')}].`);
}

export function checkEps(op: string, eps: number): void {
  if (!(eps >= 0 && Number.isFinite(eps))) fail(`${op}: eps must be a non-negative finite number, got ${eps}.`);
}

/**
 * The Adam direction, as torch.optim.Adam computes it (before the learning rate):
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², direction = (m / (1−β₁ᵗ)) / (√v / √(1−β₂ᵗ) + eps).
 * With amsgrad, v̂ = max(v̂, v) (uncorrected, as torch) replaces v in the denominator.
 */
export function scaleByAdam(options: ScaleByAdamOptions = {}): Transform<ScaleByAdamState> {
  const [b1, b2] = options.betas ?? [0.9, 0.999];
  const eps = options.eps ?? 1e-8;
  const amsgrad = options.amsgrad ?? false;
  checkBetas('scaleByAdam', [b1, b2]);
  checkEps('scaleByAdam', eps);
  const op = 'scaleByAdam.update';
  return {
    init(params) {
      const count = zeroCount(firstLeaf('scaleByAdam.init', params));
      const zeros = () => treeMap(params, zerosLike) as ParamTree;
      return amsgrad ? { count, mu: zeros(), nu: zeros(), nuMax: zeros() } : { count, mu: zeros(), nu: zeros() };
    },
    update(grads, state) {
      checkState(op, state, amsgrad ? ['count', 'mu', 'nu', 'nuMax'] : ['count', 'mu', 'nu']);
      if (!amsgrad && state.nuMax !== undefined) fail(`${op}: the state has 'nuMax' (AMSGrad) but this transform was made with amsgrad false; use the options the state was made with.`);
      return scope(() => {
        const count = increment(state.count);
        const corrections = perDType((dtype) => {
          const t = cast(count, dtype);
          return { bc1: sub(1, pow(b1, t)), bc2Sqrt: sqrt(sub(1, pow(b2, t))) };
        });
        const trees: [string, ParamTree][] = [['grads', grads], ['state.mu', state.mu], ['state.nu', state.nu]];
        if (amsgrad) trees.push(['state.nuMax', state.nuMax!]);
        // The backend's one-pass kernel when it has one; never under a tracer, which must see primitives.
        const fused = !amsgrad && activeTracers().length === 0;
        const out = unzipLeaves(op, trees, ([g, m, v, vMax]) => {
          const be = sameBackend(op, g!, m!, v!);
          if (fused && be.fused?.adamStep) {
            const { bc1, bc2Sqrt } = corrections(g!.dtype);
            const r = be.fused.adamStep({
              grad: g!.view(op), mu: m!.view(op), nu: v!.view(op), bc1: bc1.view(op), bc2Sqrt: bc2Sqrt.view(op), beta1: b1, beta2: b2, eps,
            });
            const wrap = (h: object) => Tensor.fromHandle(be, h, g!.shape, g!.dtype);
            return { u: wrap(r.update), mu: wrap(r.mu), nu: wrap(r.nu), nuMax: undefined };
          }
          const mu = add(mul(m!, b1), mul(g!, 1 - b1));
          const nu = add(mul(v!, b2), mul(mul(g!, g!), 1 - b2));
          const { bc1, bc2Sqrt } = corrections(g!.dtype);
          const nuMax = vMax ? maximum(vMax, nu) : undefined;
          return { u: div(div(mu, bc1), add(div(sqrt(nuMax ?? nu), bc2Sqrt), eps)), mu, nu, nuMax };
        });
        const next: ScaleByAdamState = amsgrad ? { count, mu: out.mu, nu: out.nu, nuMax: out.nuMax } : { count, mu: out.mu, nu: out.nu };
        return [out.u, next];
      });
    },
  };
}
