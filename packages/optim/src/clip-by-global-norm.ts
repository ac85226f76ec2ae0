import {
  add, cast, div, fail, minimum, mul, scalar, scope, sqrt, sum, treeLeaves, treeMap, type ParamTree, type Tensor, type Transform,
} from '@rnnkit/tensor';
import { firstLeaf, checkState } from './internal/trees.js';
import { perDType } from './internal/per-dtype.js';

export interface ClipByGlobalNormState {
  /** The global norm of the last gradients, before clipping (0-d, the first leaf's dtype; 0 before any step). */
  readonly norm: Tensor;
}

/**
 * √Σ‖g‖² over every tensor of the tree, as one 0-d tensor (in the first leaf's dtype). Stays on
 * the device; read it with `await norm.item()` when you want to log it.
 */
export function globalNorm(tree: ParamTree): Tensor {
  const leaves = treeLeaves(tree);
  if (leaves.length === 0) fail('globalNorm: the tree holds no tensors.');
  const dtype = leaves[0]!.dtype;
  return scope(() => {
    let total: Tensor | undefined;
    for (const g of leaves) {
      const s = sum(mul(g, g));
      const sd = s.dtype === dtype ? s : cast(s, dtype);
      total = total ? add(total, sd) : sd;
    }
    return sqrt(total!);
  });
}

export function checkMaxNorm(op: string, maxNorm: number): void {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) fail(`${op}: maxNorm must be a positive finite number, got ${maxNorm}.`);
}

/**
 * Scales the whole gradient tree so its global L2 norm is at most maxNorm, exactly as
 * torch.nn.utils.clip_grad_norm_: g · min(1, maxNorm / (norm + 1e-6)). The scope is the whole
 * tree (one factor for all tensors); see clipByNorm for one factor per tensor and clipByValue for
 * per-element clipping. The pre-clip norm is kept in the state, on the device.
 */
export function clipByGlobalNorm(maxNorm: number): Transform<ClipByGlobalNormState> {
  checkMaxNorm('clipByGlobalNorm', maxNorm);
  const op = 'clipByGlobalNorm.update';
  return {
    init: (params) => {
      const p = firstLeaf('clipByGlobalNorm.init', params);
      return { norm: scalar(p.backend, 0, p.dtype) };
    },
    update(grads, state) {
      checkState(op, state, ['norm']);
      return scope(() => {
        const norm = globalNorm(grads);
        // The +1e-6 matches torch; the factor is exactly 1 below the threshold.
        const factor = minimum(div(maxNorm, add(norm, 1e-6)), 1);
        const inDType = perDType((dtype) => (dtype === factor.dtype ? factor : cast(factor, dtype)));
        const updates = treeMap(grads, (g) => mul(g, inDType(g.dtype))) as ParamTree;
        return [updates, { norm }];
      });
    },
  };
}
