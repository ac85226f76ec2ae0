import { customVjp } from '@rnnkit/autograd';
import {
  activeTracers, add, arange, exp, gather, logSoftmax, mul, neg, reshape, sub, sum, Tensor, type CrossEntropyArgs, type FusedKernels,
} from '@rnnkit/tensor';

type CrossEntropyKernels = Required<Pick<FusedKernels, 'crossEntropy' | 'crossEntropyBackward'>>;

/**
 * −log softmax(logits)[target] per token, `[N]` from logits `[N, V]` and i32 targets `[N]` that are
 * all valid classes. One fused kernel each way when the backend has them and at most one tracer is
 * active (a nested tracer differentiates the backward, which must then be made of traced ops);
 * otherwise logSoftmax and a gather.
 */
export function tokenLosses(logits: Tensor, targets: Tensor, allowFused: boolean): Tensor {
  const [N, V] = logits.shape as [number, number];
  const fused = logits.backend.fused;
  if (allowFused && fused?.crossEntropy && fused.crossEntropyBackward && activeTracers().length <= 1) {
    return fusedLosses(fused as CrossEntropyKernels, logits, targets);
  }
  return neg(gather(reshape(logSoftmax(logits, -1), [N * V]), flatTargets(targets, N, V)));
}

/** Index of each token's target in the flattened [N·V] logits. */
function flatTargets(targets: Tensor, N: number, V: number): Tensor {
  return add(mul(arange(targets.backend, N), V), targets);
}

function fusedLosses(kernels: CrossEntropyKernels, logits: Tensor, targets: Tensor): Tensor {
  const [N, V] = logits.shape as [number, number];
  const be = logits.backend;
  const wrap = (h: unknown, shape: number[]) => Tensor.fromHandle(be, h as object, shape, logits.dtype);
  const args = (x: Tensor, t: Tensor): CrossEntropyArgs => ({ logits: x.view('softmaxCrossEntropy'), targets: t.view('softmaxCrossEntropy') });
  const run = customVjp(
    'crossEntropy',
    (x, t) => {
      const r = kernels.crossEntropy(args(x, t));
      return { outputs: wrap(r.loss, [N]), residuals: [wrap(r.logSumExp, [N])] };
    },
    {
      vjp: ([g], [lse], [x, t]) => {
        if (!g) return [null, null];
        const a = { ...args(x!, t!), logSumExp: lse!.view('softmaxCrossEntropy'), grad: g.view('softmaxCrossEntropy') };
        return [wrap(kernels.crossEntropyBackward(a), [N, V]), null];
      },
      // Forward mode: d loss[n] = Σ_v softmax[n, v]·ẋ[n, v] − ẋ[n, target].
      jvp: ([dx], [lse], [x, t]) => {
        if (!dx) return [null];
        const p = exp(sub(x!, reshape(lse!, [N, 1])));
        return [sub(sum(mul(p, dx), -1), gather(reshape(dx, [N * V]), flatTargets(t!, N, V)))];
      },
    },
  );
  return run(logits, targets)[0]!;
}
