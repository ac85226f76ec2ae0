import { addDecayedWeights, type WeightDecayOptions } from './add-decayed-weights.js';
import type { AdamOptions } from './adam.js';
import { chain } from './chain.js';
import { named } from './named.js';
import { scaleByAdam } from './scale-by-adam.js';
import { scaleByLearningRate, type LearningRate } from './scale-by-learning-rate.js';

export interface AdamwOptions extends Omit<AdamOptions, 'weightDecay' | 'decayMask'> {
  /** Decoupled weight decay (default 1e-2, as torch.optim.AdamW). */
  readonly weightDecay?: number;
  /** Parameters that decay, by path (default all); e.g. skip biases and norms. */
  readonly decayMask?: WeightDecayOptions['mask'];
}

/**
 * AdamW, exactly torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
 * weight_decay=1e-2, amsgrad=False): p ← p − lr · (adamDirection + weightDecay · p), i.e. torch's
 * p ← p(1 − lr·wd) followed by the Adam step. The decay bypasses the adaptive denominator.
 * `lr` may be a schedule (it scales the decay too, as in torch).
 */
export function adamw(lr: LearningRate = 1e-3, options: AdamwOptions = {}) {
  const { betas, eps, weightDecay = 1e-2, decayMask, amsgrad } = options;
  return named('adamw', chain(scaleByAdam({ betas, eps, amsgrad }), addDecayedWeights(weightDecay, { mask: decayMask }), scaleByLearningRate(lr)));
}
