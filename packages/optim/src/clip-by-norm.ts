import { add, div, minimum, mul, scope, sqrt, sum, treeMap, type ParamTree, type Transform } from '@rnnkit/tensor';
import { checkMaxNorm } from './clip-by-global-norm.js';
import type { EmptyState } from './identity.js';
import { checkEmptyState } from './internal/trees.js';

/**
 * Clips each tensor on its own: g · min(1, maxNorm / (‖g‖ + 1e-6)), so every tensor's L2 norm is
 * at most maxNorm (Keras's `clipnorm` scope; the 1e-6 as in torch's clip_grad_norm_). Directions
 * of different tensors are scaled by different factors; clipByGlobalNorm keeps their ratio.
 */
export function clipByNorm(maxNorm: number): Transform<EmptyState> {
  checkMaxNorm('clipByNorm', maxNorm);
  return {
    init: () => ({}),
    update: (grads, state) =>
      scope(() => {
        checkEmptyState('clipByNorm.update', state);
        const updates = treeMap(grads, (g) => mul(g, minimum(div(maxNorm, add(sqrt(sum(mul(g, g))), 1e-6)), 1))) as ParamTree;
        return [updates, {}];
      }),
  };
}
