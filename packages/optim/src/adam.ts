import { addL2, type WeightDecayOptions } from './add-decayed-weights.js';
import { chain } from './chain.js';
import { named } from './named.js';
import { scaleByAdam } from './scale-by-adam.js';
import { scaleByLearningRate, type LearningRate } from './scale-by-learning-rate.js';

export interface AdamOptions {
  /** (β₁, β₂), default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /** Added to the bias-corrected √v (outside the root), default 1e-8. */
  readonly eps?: number;
  /** Coupled L2 weight decay added to the gradient, as torch.optim.Adam's (default 0; see adamw). */
  readonly weightDecay?: number;
  /** Parameters that decay, by path (default all). */
  readonly decayMask?: WeightDecayOptions['mask'];
  /** AMSGrad: divide by the running maximum of v (default false). */
  readonly amsgrad?: boolean;
}

/**
 * Adam, exactly torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
 * amsgrad=False): g ← g + weightDecay·p; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * p ← p − lr · (m / (1−β₁ᵗ)) / (√v / √(1−β₂ᵗ) + eps), with t counting from 1.
 * `lr` may be a schedule.
 */
export function adam(lr: LearningRate = 1e-3, options: AdamOptions = {}) {
  const { betas, eps, weightDecay = 0, decayMask, amsgrad } = options;
  return named('adam', chain(addL2(weightDecay, { mask: decayMask }), scaleByAdam({ betas, eps, amsgrad }), scaleByLearningRate(lr)));
}

/**
 * Adam with AMSGrad, exactly torch.optim.Adam(params, lr=1e-3, amsgrad=True): like adam, but the
 * denominator uses v̂ ← max(v̂, v) (the uncorrected v, bias-corrected afterwards, as torch does).
 */
export function amsgrad(lr: LearningRate = 1e-3, options: Omit<AdamOptions, 'amsgrad'> = {}) {
  return adam(lr, { ...options, amsgrad: true });
}
