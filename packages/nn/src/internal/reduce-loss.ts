import { div, fail, gt, sum, where, type Tensor } from '@rnnkit/tensor';
import type { Reduction } from '../reduction.js';

export function requireReduction(op: string, reduction: unknown): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none')
    fail(`${op}: reduction must be 'mean', 'sum' or 'none', got ${typeof reduction === 'string' ? `'${reduction}'` : String(reduction)}.`);
  return reduction;
}

/**
 * Reduces per-item losses (already 0 at excluded items). `count` is the number (or total weight) of
 * valid items; a mean over zero valid items is 0. Call inside a scope: temporaries are left to it.
 */
export function reduceLoss(perItem: Tensor, count: Tensor | number, reduction: Reduction): Tensor {
  if (reduction === 'none') return perItem;
  const total = sum(perItem);
  if (reduction === 'sum') return total;
  if (typeof count === 'number') return div(total, count > 0 ? count : 1);
  return div(total, where(gt(count, 0), count, 1));
}
