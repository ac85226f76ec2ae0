import { add, mul, scope, sqrt, stack, sum, untraced, type Tensor } from '@rnnkit/tensor';

/** Runs `fn` untraced and outside any autograd tape; intermediates freed, the result is the caller's. */
export function observe<R>(fn: () => R): R {
  return untraced(() => scope(fn));
}

/** ‖x‖₂ over every element, as a 0-d tensor. */
export function l2(x: Tensor): Tensor {
  return sqrt(sum(mul(x, x)));
}

/** √(Σ‖x_i‖²) over several tensors. */
export function l2Many(xs: readonly Tensor[]): Tensor {
  let total: Tensor | undefined;
  for (const x of xs) {
    const s = sum(mul(x, x));
    total = total ? add(total, s) : s;
  }
  return sqrt(total!);
}

/** 0 when every element is finite, NaN otherwise (0·x is NaN exactly for NaN and ±Inf). Cheaper than a compare and a cast. */
export function finiteFlag(x: Tensor): Tensor {
  return sum(mul(x, 0));
}

/** Stacks 0-d tensors (casting to the first one's dtype is the caller's job) into one vector, so one read fetches them all. */
export function pack(xs: readonly Tensor[]): Tensor {
  return stack(xs, 0);
}
