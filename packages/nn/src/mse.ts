import { cast, fail, fmtShape, mul, reshape, sameShape, scope, sub, sum, where, type Tensor } from '@rnnkit/tensor';
import { requireFloatTensor } from './internal/checks.js';
import { maskParts, requireMaskDType } from './internal/mask.js';
import { reduceLoss, requireReduction } from './internal/reduce-loss.js';
import type { Reduction } from './reduction.js';

/** Options of `mse`. */
export interface MseOptions {
  /**
   * The shape of `pred`, or its leading axes (a `[B, T]` mask for `pred: [B, T, F]` masks whole
   * time steps). Bool: false excludes an element. Float: a weight per element (should be ≥ 0).
   */
  readonly mask?: Tensor;
  /** 'mean' (default) over valid elements, 'sum', or 'none' (per-element losses, 0 at excluded ones). */
  readonly reduction?: Reduction;
}

/**
 * Mean squared error (pred − target)² between `pred: [...]` and `target: [...]` of the same shape
 * and dtype, as PyTorch's `F.mse_loss`. With a mask, the mean divides by the number of valid
 * elements (the total weight of a float mask, times the size of the axes it does not cover); with
 * zero valid elements the mean is 0 rather than NaN, as in `softmaxCrossEntropy`.
 *
 * @returns a 0-d tensor for 'mean' and 'sum', `[...]` for 'none'; the caller owns it.
 * @example
 * const loss = mse(pred, target, { mask: valid }); // pred, target: [B, T, F]; valid: [B, T] bool
 */
export function mse(pred: Tensor, target: Tensor, options: MseOptions = {}): Tensor {
  const op = 'mse';
  const reduction = requireReduction(op, options.reduction ?? 'mean');
  const { mask } = options;
  requireFloatTensor(op, 'pred', pred);
  if (!sameShape(pred.shape, target.shape)) fail(`${op}: pred ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} must have the same shape; mse does not broadcast, so reshape or expand target first.`);
  if (pred.dtype !== target.dtype) fail(`${op}: pred is ${pred.dtype} but target is ${target.dtype}; cast one with cast(target, '${pred.dtype}').`);
  if (mask && (mask.rank > pred.rank || mask.shape.some((d, i) => d !== pred.shape[i])))
    fail(`${op}: mask ${fmtShape(mask.shape)} must have the shape of pred ${fmtShape(pred.shape)} or of its leading axes.`);

  requireMaskDType(op, mask);
  return scope(() => {
    const diff = sub(pred, target);
    let loss = mul(diff, diff); //                                           [...]
    const parts = maskParts(mask, pred.dtype);
    const covered = mask ? mask.size : pred.size; //                       elements a mask entry stands for: pred.size / covered
    const trailing = pred.shape.slice(mask?.rank ?? pred.rank);
    const lift = (m: Tensor) => (trailing.length ? reshape(m, [...m.shape, ...trailing.map(() => 1)]) : m); // [..., 1, 1]
    const perEntry = covered === 0 ? 0 : pred.size / covered;
    let count: Tensor | number = pred.size;
    if (parts.keep) {
      loss = where(lift(parts.keep), loss, 0);
      count = mul(sum(cast(parts.keep, pred.dtype)), perEntry);
    } else if (parts.weight) {
      loss = mul(loss, lift(parts.weight));
      count = mul(sum(parts.weight), perEntry);
    }
    return reduceLoss(loss, count, reduction);
  });
}
