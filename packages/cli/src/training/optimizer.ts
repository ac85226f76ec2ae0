import { adam, adamw, chain, clipByGlobalNorm, identity, rmsprop, sgd, type Transform } from '@rnnkit/optim';

export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'rmsprop';
export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'adamw', 'sgd', 'rmsprop'];

/** Global-norm clipping (when clip > 0) followed by the chosen optimiser. */
export function makeOptimizer(name: OptimizerName, lr: number, clip: number): Transform<unknown> {
  const base = name === 'adam' ? adam(lr) : name === 'adamw' ? adamw(lr) : name === 'rmsprop' ? rmsprop(lr) : sgd(lr);
  return chain(clip > 0 ? clipByGlobalNorm(clip) : identity(), base);
}
