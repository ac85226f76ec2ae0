import { add, div, fail, mul } from '@rnnkit/tensor';
import { addL2, type WeightDecayOptions } from './add-decayed-weights.js';
import { chain } from './chain.js';
import { named } from './named.js';
import { scaleByAdagrad } from './scale-by-adagrad.js';
import { checkLearningRate, scaleByLearningRate, type LearningRate } from './scale-by-learning-rate.js';

export interface AdagradOptions {
  /** Learning-rate decay: step t uses lr / (1 + (t − 1)·lrDecay) (default 0). */
  readonly lrDecay?: number;
  /** Coupled L2 weight decay (default 0). */
  readonly weightDecay?: number;
  readonly decayMask?: WeightDecayOptions['mask'];
  /** Starting value of the sum of squares (default 0). */
  readonly initialAccumulatorValue?: number;
  /** Added to the root (outside it), default 1e-10. */
  readonly eps?: number;
}

/**
 * Adagrad, exactly torch.optim.Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0,
 * initial_accumulator_value=0, eps=1e-10): s ← s + g²; p ← p − lr/(1 + (t−1)·lrDecay) · g / (√s + eps).
 */
export function adagrad(lr: LearningRate = 1e-2, options: AdagradOptions = {}) {
  const { lrDecay = 0, weightDecay = 0, decayMask, initialAccumulatorValue, eps } = options;
  checkLearningRate('adagrad', lr);
  if (!(lrDecay >= 0 && Number.isFinite(lrDecay))) fail(`adagrad: lrDecay must be a non-negative finite number, got ${lrDecay}.`);
  // The schedule sees t − 1 (updates already applied), which is what torch's formula uses.
  const rate: LearningRate = lrDecay === 0 ? lr : (count) => div(typeof lr === 'number' ? lr : lr(count), add(mul(count, lrDecay), 1));
  return named('adagrad', chain(addL2(weightDecay, { mask: decayMask }), scaleByAdagrad({ initialAccumulatorValue, eps }), scaleByLearningRate(rate)));
}
