import type { Transform } from '@rnnkit/tensor';
import { addL2, type WeightDecayOptions } from './add-decayed-weights.js';
import { chain } from './chain.js';
import { identity, type EmptyState } from './identity.js';
import { named } from './named.js';
import { scaleByLearningRate, type LearningRate } from './scale-by-learning-rate.js';
import { scaleByMomentum, type ScaleByMomentumState } from './scale-by-momentum.js';
import { scaleByRms } from './scale-by-rms.js';

export interface RmspropOptions {
  /** Smoothing constant of the averages, default 0.99. */
  readonly alpha?: number;
  /** Added to the root (outside it), default 1e-8. */
  readonly eps?: number;
  /** Coupled L2 weight decay (default 0). */
  readonly weightDecay?: number;
  readonly decayMask?: WeightDecayOptions['mask'];
  /** Momentum on the scaled gradient (default 0). */
  readonly momentum?: number;
  /** Normalise by the estimated variance √(v − m²) instead of √v (default false). */
  readonly centered?: boolean;
}

/**
 * RMSprop, exactly torch.optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0,
 * momentum=0, centered=False): v ← αv + (1−α)g²; centered: m ← αm + (1−α)g and d = √(v − m²) + eps,
 * else d = √v + eps; with momentum b ← μb + g/d and p ← p − lr·b, else p ← p − lr·g/d.
 * (Keras and Optax put eps inside the root; torch does not.)
 */
export function rmsprop(lr: LearningRate = 1e-2, options: RmspropOptions = {}) {
  const { alpha, eps, weightDecay = 0, decayMask, momentum = 0, centered } = options;
  const withMomentum: Transform<ScaleByMomentumState | EmptyState> = momentum > 0 ? scaleByMomentum({ momentum }) : identity();
  return named('rmsprop', chain(addL2(weightDecay, { mask: decayMask }), scaleByRms({ alpha, eps, centered }), withMomentum, scaleByLearningRate(lr)));
}
