import { allocate, expand, fail, mul, tensor, type Rng, type Tensor } from '@rnnkit/tensor';
import { requireFloatTensor } from './internal/checks.js';

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Whether to drop (training) or pass x through unchanged (evaluation). */
  readonly training: boolean;
  /**
   * Source of the mask; it advances by two draws per element of x. Required when training with
   * p > 0. Pass `rng.fork('dropout/' + step)` to keep a model's main stream independent of it.
   */
  readonly rng?: Rng;
}

/**
 * Inverted dropout, as PyTorch's `F.dropout`: when training, each element of `x: [...]` is zeroed
 * with probability `p` and the survivors are scaled by 1/(1 − p), so the expected value is
 * unchanged and evaluation needs no rescaling. The mask is drawn on the host from `rng` and
 * uploaded, so it is the same on every backend for the same rng state.
 *
 * When `training` is false or `p` is 0 the result is a view of `x` (no copy, no draws). Either way
 * the result is a new tensor the caller owns, and `x` is left alone. Gradients flow through the
 * mask: ∂/∂x is the mask itself.
 *
 * @param p drop probability in [0, 1).
 * @example
 * const h = dropout(x, 0.2, { rng: rng.fork('dropout/' + step), training: true }); // x: [B, T, H]
 */
export function dropout(x: Tensor, p: number, options: DropoutOptions): Tensor {
  if (typeof p !== 'number' || !(p >= 0 && p < 1))
    fail(`dropout: p must be a probability in [0, 1), got ${String(p)}; p = 1 would drop everything (use zerosLike(x) if that is meant).`);
  requireFloatTensor('dropout', 'x', x);
  if (!options.training || p === 0) return expand(x, x.shape);
  const { rng } = options;
  if (!rng) fail('dropout: training with p > 0 needs an rng for the mask; pass { rng, training: true }.');
  const u = rng.uniformArray(x.size);
  const scale = 1 / (1 - p);
  const mask = allocate(x.dtype, x.size);
  for (let i = 0; i < u.length; i++) mask[i] = u[i]! < p ? 0 : scale;
  using m = tensor(x.backend, mask, x.shape, x.dtype);
  return mul(x, m);
}
