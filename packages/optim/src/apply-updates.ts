import { add, treeDispose, type ParamTree, type TreeOf, type Tensor } from '@rnnkit/tensor';
import { zipLeaves } from './internal/trees.js';

export interface ApplyUpdatesOptions {
  /**
   * Free the old parameters and the updates once the new parameters exist (default false), so a
   * training loop does not hold two copies of the model. Do not use either afterwards.
   */
  readonly donate?: boolean;
}

/**
 * params + updates, leaf by leaf: the new parameters. Updates already carry the sign (they are
 * −lr · direction), so this is always an addition. A tree mismatch names the path.
 */
export function applyUpdates<P extends ParamTree>(params: P, updates: ParamTree, options: ApplyUpdatesOptions = {}): TreeOf<P, Tensor> {
  const next = zipLeaves('applyUpdates', [['params', params], ['updates', updates]], ([p, u]) => add(p!, u!));
  if (options.donate) {
    treeDispose(params);
    treeDispose(updates);
  }
  return next as TreeOf<P, Tensor>;
}
