import type { Transform } from '@rnnkit/tensor';
import { addL2, type WeightDecayOptions } from './add-decayed-weights.js';
import { chain } from './chain.js';
import { identity, type EmptyState } from './identity.js';
import { named } from './named.js';
import { scaleByLearningRate, type LearningRate } from './scale-by-learning-rate.js';
import { scaleByMomentum, type ScaleByMomentumState } from './scale-by-momentum.js';

export interface SgdOptions {
  /** Momentum factor (default 0: plain SGD, no buffer kept). */
  readonly momentum?: number;
  /** Dampening of the momentum buffer after its first step (default 0). */
  readonly dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  readonly nesterov?: boolean;
  /** Coupled L2 weight decay, added to the gradient (default 0). */
  readonly weightDecay?: number;
  /** Parameters that decay, by path (default all). */
  readonly decayMask?: WeightDecayOptions['mask'];
}

/**
 * Stochastic gradient descent, exactly torch.optim.SGD(params, lr, momentum=0, dampening=0,
 * weight_decay=0, nesterov=False): g ← g + weightDecay·p; with momentum, b ← g on the first step
 * and b ← μb + (1 − dampening)g after, and the direction is b (or g + μb with Nesterov);
 * p ← p − lr·direction. `lr` is required (as in torch 1.x) and may be a schedule.
 */
export function sgd(lr: LearningRate, options: SgdOptions = {}) {
  const { momentum = 0, dampening = 0, nesterov = false, weightDecay = 0, decayMask } = options;
  const direction: Transform<ScaleByMomentumState | EmptyState> = momentum > 0 || nesterov ? scaleByMomentum({ momentum, dampening, nesterov }) : identity();
  return named('sgd', chain(addL2(weightDecay, { mask: decayMask }), direction, scaleByLearningRate(lr)));
}

/** SGD with heavy-ball momentum (default 0.9): torch.optim.SGD(params, lr, momentum). */
export function momentum(lr: LearningRate, momentum = 0.9, options: Omit<SgdOptions, 'momentum' | 'nesterov'> = {}) {
  return sgd(lr, { ...options, momentum });
}

/** SGD with Nesterov momentum (default 0.9): torch.optim.SGD(params, lr, momentum, nesterov=True). */
export function nesterov(lr: LearningRate, momentum = 0.9, options: Omit<SgdOptions, 'momentum' | 'nesterov' | 'dampening'> = {}) {
  return sgd(lr, { ...options, momentum, nesterov: true });
}
