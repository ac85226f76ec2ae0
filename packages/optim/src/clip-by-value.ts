import { clamp, fail, scope, treeMap, type ParamTree, type Transform } from '@rnnkit/tensor';
import type { EmptyState } from './identity.js';
import { checkEmptyState } from './internal/trees.js';

/**
 * Clamps every element to [−maxAbs, maxAbs], as torch.nn.utils.clip_grad_value_ (Keras's
 * `clipvalue`). Per element: it changes the direction of the gradient, unlike the norm clippers.
 */
export function clipByValue(maxAbs: number): Transform<EmptyState> {
  if (!(maxAbs >= 0) || !Number.isFinite(maxAbs)) fail(`clipByValue: maxAbs must be a non-negative finite number, got ${maxAbs}.`);
  return {
    init: () => ({}),
    update(grads, state) {
      checkEmptyState('clipByValue.update', state);
      return scope(() => [treeMap(grads, (g) => clamp(g, -maxAbs, maxAbs)) as ParamTree, {}]);
    },
  };
}
