import { checkCrossEntropyArgs, checkCrossEntropyBackwardArgs, crossEntropyTarget } from '@rnnkit/tensor';
import type { CrossEntropyArgs, CrossEntropyBackwardArgs, TypedArray } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';
import type { Acquire } from '../internal/acquire.js';
import type { Engine } from '../internal/engine.js';
import { placeReadOnly } from '../internal/place.js';
import { contiguous } from '../internal/strided.js';
import { put, scoped } from './common.js';

/** Per-row max and Σ exp in the engine (vectorised exp), then logSumExp = max + log Σ and loss[n] = logSumExp[n] − logits[n, target]. */
export function crossEntropy(e: Engine, a: CrossEntropyArgs<WasmHandle>, acquire: Acquire): { loss: TypedArray; logSumExp: TypedArray } {
  const op = 'crossEntropy';
  const { N, V } = checkCrossEntropyArgs(op, a);
  const t = contiguous(a.targets);
  return scoped(e, () => {
    const x = placeReadOnly(e, a.logits);
    const [m, sum] = [e.alloc(N), e.alloc(N)];
    e.ops.rowMaxSumExp(N, V, x, m, sum);
    const F = e.f();
    const [xi, mi, si] = [e.at(x), e.at(m), e.at(sum)];
    const lse = acquire(a.logits.dtype, N);
    const loss = acquire(a.logits.dtype, N);
    for (let n = 0; n < N; n++) {
      lse[n] = F[mi + n]! + Math.log(F[si + n]!);
      loss[n] = lse[n]! - F[xi + n * V + crossEntropyTarget(op, t, n, V)]!;
    }
    return { loss, logSumExp: lse };
  });
}

/** d logits = grad[n]·softmax in the engine (into scratch: the logits may be the kept result, read in place), then grad[n] taken off at each row's target. */
export function crossEntropyBackward(e: Engine, a: CrossEntropyBackwardArgs<WasmHandle>): TypedArray {
  const op = 'crossEntropyBackward';
  const { N, V } = checkCrossEntropyBackwardArgs(op, a);
  const t = contiguous(a.targets);
  return scoped(e, () => {
    const [x, lse, g] = [placeReadOnly(e, a.logits), put(e, a.logSumExp), put(e, a.grad)];
    const dx = e.alloc(N * V);
    e.ops.softmaxGrad(N, V, x, lse, g, dx);
    const F = e.f();
    const [di, gi] = [e.at(dx), e.at(g)];
    for (let n = 0; n < N; n++) F[di + n * V + crossEntropyTarget(op, t, n, V)]! -= F[gi + n]!;
    return e.take(dx, N * V);
  });
}
