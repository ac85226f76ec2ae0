import {
  fail, fmtShape, isFloat, onesLike, scope, tensorsIn, treeFlatten, treeMap, withTracer, zerosLike, type ParamTree, type Tensor, type TreeOf,
} from '@rnnkit/tensor';
import { Tape } from './tape.js';

export interface ValueAndGrad<P extends ParamTree> {
  readonly value: Tensor;
  readonly grads: TreeOf<P, Tensor>;
}

/**
 * Turns a loss function into one that also returns the gradient of the loss with respect to every
 * tensor in `params`: `const { value, grads } = valueAndGrad(loss)(params, ...args)`.
 * Intermediates are freed before it returns; the caller owns `value` and `grads`.
 * `args` are passed through and not differentiated.
 */
export function valueAndGrad<P extends ParamTree, A extends unknown[]>(f: (params: P, ...args: A) => Tensor): (params: P, ...args: A) => ValueAndGrad<P> {
  return (params, ...args) => {
    const [value, grads] = differentiate(params, () => [f(params, ...args), undefined] as const);
    return { value, grads: grads as TreeOf<P, Tensor> };
  };
}

/** Like `valueAndGrad` for a function returning `[loss, aux]`; `aux` (any tensors in it) is returned too. */
export function valueAndGradWithAux<P extends ParamTree, A extends unknown[], X>(
  f: (params: P, ...args: A) => readonly [Tensor, X],
): (params: P, ...args: A) => ValueAndGrad<P> & { readonly aux: X } {
  return (params, ...args) => {
    const [value, grads, aux] = differentiate(params, () => f(params, ...args));
    return { value, grads: grads as TreeOf<P, Tensor>, aux };
  };
}

/** Only the gradients; the loss value is freed. */
export function grad<P extends ParamTree, A extends unknown[]>(f: (params: P, ...args: A) => Tensor): (params: P, ...args: A) => TreeOf<P, Tensor> {
  const vg = valueAndGrad<P, A>(f);
  return (params, ...args) => {
    const result: { value: Tensor; grads: unknown } = vg(params, ...args);
    result.value.dispose();
    return result.grads as TreeOf<P, Tensor>;
  };
}

function differentiate<X>(params: ParamTree, run: () => readonly [Tensor, X]): [Tensor, unknown, X] {
  const tape = new Tape();
  try {
    for (const [path, leaf] of treeFlatten(params)) {
      leaf.view('valueAndGrad');
      if (!isFloat(leaf.dtype)) fail(`valueAndGrad: parameter '${path || '(root)'}' is ${leaf.dtype} ${fmtShape(leaf.shape)}; only f32 and f64 tensors can be differentiated. Pass it as an extra argument instead.`);
      tape.watch(leaf);
    }
    const [value, aux] = scope(() => withTracer(tape, run));
    if (value.size !== 1) {
      for (const t of tensorsIn([value, aux])) t.dispose();
      fail(`valueAndGrad: the function must return a one-element loss, got shape ${fmtShape(value.shape)}; reduce it with sum() or mean().`);
    }
    const wanted = new Set(treeFlatten(params).map(([, t]) => t.id));
    const got = tape.backward(new Map([[value.id, onesLike(value)]]), wanted);
    const grads = treeMap(params, (leaf) => {
      const g = got.get(leaf.id);
      got.delete(leaf.id); // a tensor listed twice gets a fresh zero the second time
      return g ?? zerosLike(leaf);
    });
    return [value, grads, aux];
  } finally {
    tape.dispose();
  }
}
