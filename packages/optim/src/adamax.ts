import { addL2, type WeightDecayOptions } from './add-decayed-weights.js';
import { chain } from './chain.js';
import { named } from './named.js';
import { scaleByAdamax } from './scale-by-adamax.js';
import { scaleByLearningRate, type LearningRate } from './scale-by-learning-rate.js';

export interface AdamaxOptions {
  /** (β₁, β₂), default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /** Added to |g| inside the maximum, default 1e-8. */
  readonly eps?: number;
  /** Coupled L2 weight decay (default 0). */
  readonly weightDecay?: number;
  readonly decayMask?: WeightDecayOptions['mask'];
}

/**
 * Adamax, exactly torch.optim.Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
 * weight_decay=0): m ← β₁m + (1−β₁)g; u ← max(β₂u, |g| + eps); p ← p − lr / (1−β₁ᵗ) · m / u.
 */
export function adamax(lr: LearningRate = 2e-3, options: AdamaxOptions = {}) {
  const { betas, eps, weightDecay = 0, decayMask } = options;
  return named('adamax', chain(addL2(weightDecay, { mask: decayMask }), scaleByAdamax({ betas, eps }), scaleByLearningRate(lr)));
}
