import { cast, fail, fmtShape, mul, ne, reshape, sameShape, scope, sum, where, type Tensor } from '@rnnkit/tensor';
import { requireFloatTensor } from './internal/checks.js';
import { checkIndexRange } from './internal/index-range.js';
import { maskParts, requireMaskDType } from './internal/mask.js';
import { reduceLoss, requireReduction } from './internal/reduce-loss.js';
import { tokenLosses } from './internal/token-losses.js';
import type { Reduction } from './reduction.js';

/** Options of `softmaxCrossEntropy`. */
export interface SoftmaxCrossEntropyOptions {
  /**
   * `[...]`, the shape of the targets. Bool: false excludes a token. Float: a weight per token
   * (0 excludes it; weights should be ≥ 0), and the mean divides by the total weight.
   */
  readonly mask?: Tensor;
  /** A target value that excludes its token (PyTorch's `ignore_index`, which defaults to −100; here there is no default). */
  readonly ignoreIndex?: number;
  /** 'mean' (default) over valid tokens, 'sum', or 'none' (per-token losses `[...]`, 0 at excluded tokens). */
  readonly reduction?: Reduction;
  /**
   * Use the backend's fused cross-entropy kernels when it has them (default true): one pass over the
   * logits each way instead of about eight. `false` forces the composite of primitive ops.
   */
  readonly fused?: boolean;
}

/**
 * Softmax cross-entropy between `logits: [..., V]` and i32 class `targets: [...]` (the logits'
 * shape without its last axis; `[B, T, V]` with `[B, T]` for a language model), computed stably as
 * −logSoftmax(logits)[target]. Matches PyTorch's `F.cross_entropy` (with the class axis last).
 *
 * Tokens are excluded by `mask` (false or weight 0) and by `ignoreIndex`. The `'mean'` reduction
 * divides by the number of valid tokens (the total weight of a float mask), not by the number of
 * tokens, as PyTorch does with `ignore_index`; padding does not dilute the loss.
 *
 * **Zero valid tokens give a mean of 0** (PyTorch gives NaN, from 0/0). A batch whose tokens are
 * all padding then contributes a zero loss and zero gradients instead of poisoning the parameters
 * with NaN, which suits sequence training where such batches happen at the ends of buckets and
 * truncated-BPTT windows.
 *
 * Targets must lie in [0, V) except where `ignoreIndex` or the mask (false or 0) excludes the token,
 * so padding may hold any value. This is checked on backends with synchronous reads; elsewhere an
 * out-of-range target of a valid token gives an unspecified loss.
 *
 * @returns a 0-d tensor for 'mean' and 'sum', `[...]` for 'none'; the caller owns it.
 * @example
 * const loss = softmaxCrossEntropy(logits, targets, { ignoreIndex: PAD }); // logits: [B, T, V], targets: [B, T]
 */
export function softmaxCrossEntropy(logits: Tensor, targets: Tensor, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  const op = 'softmaxCrossEntropy';
  const reduction = requireReduction(op, options.reduction ?? 'mean');
  const { ignoreIndex, mask } = options;
  requireFloatTensor(op, 'logits', logits);
  if (logits.rank === 0) fail(`${op}: logits must have a class axis, got a 0-d tensor; pass logits: [..., V].`);
  const classes = logits.shape[logits.rank - 1]!;
  const tokenShape = logits.shape.slice(0, -1);
  if (targets.dtype !== 'i32') fail(`${op}: targets must be i32 class indices, got ${targets.dtype} ${fmtShape(targets.shape)}; convert them with cast(targets, 'i32').`);
  if (!sameShape(targets.shape, tokenShape))
    fail(`${op}: targets ${fmtShape(targets.shape)} must have the shape of logits ${fmtShape(logits.shape)} without its last (class) axis, ${fmtShape(tokenShape)}.`);
  if (mask && !sameShape(mask.shape, tokenShape)) fail(`${op}: mask ${fmtShape(mask.shape)} must have the shape of the targets, ${fmtShape(tokenShape)}.`);
  if (ignoreIndex !== undefined && !Number.isInteger(ignoreIndex)) fail(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}.`);
  checkIndexRange(op, 'targets', targets, classes, `for logits ${fmtShape(logits.shape)} with V = ${classes} classes`, ignoreIndex, mask);
  const tokens = targets.size;

  requireMaskDType(op, mask);
  return scope(() => {
    const parts = maskParts(mask, logits.dtype);
    const notIgnored = ignoreIndex === undefined ? undefined : ne(targets, ignoreIndex);
    const keep = both(notIgnored, parts.keep); //                                      [...] bool, or none
    // An excluded token (or one of weight 0, whose target need not be a class) is scored against
    // class 0 instead, and its loss then masked out.
    const pickable = both(keep, parts.weight ? ne(parts.weight, 0) : undefined);
    const picked = reshape(pickable ? where(pickable, targets, 0) : targets, [tokens]);
    let loss = reshape(tokenLosses(reshape(logits, [tokens, classes]), picked, options.fused !== false), tokenShape); // [...]
    if (keep) loss = where(keep, loss, 0);
    if (parts.weight) loss = mul(loss, parts.weight);
    let count: Tensor | number = tokens;
    if (keep && parts.weight) count = sum(where(keep, parts.weight, 0));
    else if (parts.weight) count = sum(parts.weight);
    else if (keep) count = sum(cast(keep, logits.dtype));
    return reduceLoss(loss, count, reduction);
  });
}

// Logical and of optional bool tensors (undefined means all true).
function both(a: Tensor | undefined, b: Tensor | undefined): Tensor | undefined {
  return a && b ? where(a, b, 0) : (a ?? b);
}
