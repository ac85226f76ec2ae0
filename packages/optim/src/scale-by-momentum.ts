import { add, eq, fail, mul, scope, treeMap, where, zerosLike, type ParamTree, type Tensor, type Transform } from '@rnnkit/tensor';
import { increment, zeroCount } from './internal/count.js';
import { alias, checkState, firstLeaf, unzipLeaves } from './internal/trees.js';

export interface ScaleByMomentumOptions {
  /** Momentum factor (default 0.9). */
  readonly momentum?: number;
  /** Fraction of the gradient held back from the buffer after the first step (default 0, as torch). */
  readonly dampening?: number;
  /** Use the Nesterov look-ahead: g + momentum · buffer (default false). */
  readonly nesterov?: boolean;
}

export interface ScaleByMomentumState {
  /** Updates applied so far, 0-d i32 (the first step fills the buffer with g, as torch). */
  readonly count: Tensor;
  /** momentum_buffer. */
  readonly trace: ParamTree;
}

/**
 * Heavy-ball momentum as torch.optim.SGD: b ← g on the first step, then b ← μb + (1 − dampening)g;
 * the direction is b, or g + μb with nesterov.
 */
export function scaleByMomentum(options: ScaleByMomentumOptions = {}): Transform<ScaleByMomentumState> {
  const momentum = options.momentum ?? 0.9;
  const dampening = options.dampening ?? 0;
  const nesterov = options.nesterov ?? false;
  if (!(momentum >= 0 && Number.isFinite(momentum))) fail(`scaleByMomentum: momentum must be a non-negative finite number, got ${momentum}.`);
  if (!(dampening >= 0 && dampening <= 1)) fail(`scaleByMomentum: dampening must lie in [0, 1], got ${dampening}.`);
  if (nesterov && (momentum === 0 || dampening !== 0)) fail(`scaleByMomentum: Nesterov momentum needs momentum > 0 and dampening 0 (got momentum ${momentum}, dampening ${dampening}), as in torch.`);
  const op = 'scaleByMomentum.update';
  return {
    init: (params) => ({ count: zeroCount(firstLeaf('scaleByMomentum.init', params)), trace: treeMap(params, zerosLike) }),
    update(grads, state) {
      checkState(op, state, ['count', 'trace']);
      return scope(() => {
        const first = dampening === 0 ? undefined : eq(state.count, 0);
        const out = unzipLeaves(op, [['grads', grads], ['state.trace', state.trace]], ([g, b]) => {
          // With no dampening, μ·0 + g is already g on the first step, so no select is needed.
          const next = add(mul(b!, momentum), dampening === 0 ? g! : mul(g!, 1 - dampening));
          const trace = first ? where(first, g!, next) : next;
          // The updates and the state are owned separately: alias, never the same tensor twice.
          return { u: nesterov ? add(g!, mul(trace, momentum)) : alias(trace), trace };
        });
        return [out.u, { count: increment(state.count), trace: out.trace }];
      });
    },
  };
}

/** Optax's name for scaleByMomentum. */
export const trace = scaleByMomentum;
