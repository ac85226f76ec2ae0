import { addL2, type WeightDecayOptions } from './add-decayed-weights.js';
import { chain } from './chain.js';
import { named } from './named.js';
import { scaleByAdadelta } from './scale-by-adadelta.js';
import { scaleByLearningRate, type LearningRate } from './scale-by-learning-rate.js';

export interface AdadeltaOptions {
  /** Decay rate of both averages, default 0.9. */
  readonly rho?: number;
  /** Added inside both roots, default 1e-6. */
  readonly eps?: number;
  /** Coupled L2 weight decay (default 0). */
  readonly weightDecay?: number;
  readonly decayMask?: WeightDecayOptions['mask'];
}

/**
 * Adadelta, exactly torch.optim.Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0):
 * v ← ρv + (1−ρ)g²; d = √(a + eps)/√(v + eps) · g; a ← ρa + (1−ρ)d²; p ← p − lr·d.
 * Note torch's lr (default 1) scales d after the average of d² is updated; the paper has no lr.
 */
export function adadelta(lr: LearningRate = 1.0, options: AdadeltaOptions = {}) {
  const { rho, eps, weightDecay = 0, decayMask } = options;
  return named('adadelta', chain(addL2(weightDecay, { mask: decayMask }), scaleByAdadelta({ rho, eps }), scaleByLearningRate(lr)));
}
