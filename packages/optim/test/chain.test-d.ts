import type { Tensor } from '@rnnkit/tensor';
import { describe, expectTypeOf, it } from 'vitest';
import {
  adamw, chain, clipByGlobalNorm, scaleByAdam, scaleByLearningRate, type ClipByGlobalNormState, type EmptyState, type NamedState,
  type ScaleByAdamState, type ScaleByLearningRateState,
} from '../src/index.js';

describe('chain infers the tuple of states', () => {
  it('element by element', () => {
    const t = chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3));
    expectTypeOf(t.init).returns.toEqualTypeOf<[ClipByGlobalNormState, ScaleByAdamState, ScaleByLearningRateState]>();
    expectTypeOf<ReturnType<typeof t.init>[0]['norm']>().toEqualTypeOf<Tensor>();
  });
  it('through aliases', () => {
    const t = chain(clipByGlobalNorm(1), adamw());
    expectTypeOf(t.init).returns.toEqualTypeOf<[ClipByGlobalNormState, NamedState<[ScaleByAdamState, EmptyState, ScaleByLearningRateState]>]>();
  });
});
