import type { AdamStepArgs } from './backend.js';
import { allocate, type TypedArray } from './dtype.js';
import { elements } from './host-elements.js';
import { fail, fmtShape } from './errors.js';
import type { HostHandle } from './host-memory.js';
import { sameShape } from './shape.js';

/** Throws unless the moments have the gradient's dtype and shape (any backend's adamStep can call it). */
export function checkAdamStepArgs<H>(args: AdamStepArgs<H>): void {
  const { grad } = args;
  for (const [name, v] of [['mu', args.mu], ['nu', args.nu]] as const) {
    if (v.dtype !== grad.dtype || !sameShape(v.shape, grad.shape)) {
      fail(`adamStep: ${name} is ${v.dtype} ${fmtShape(v.shape)} but the gradient is ${grad.dtype} ${fmtShape(grad.shape)}; the moments must match their parameter.`);
    }
  }
}

/**
 * The fused Adam step for backends whose handles are host TypedArrays. In f32 every intermediate is
 * rounded to f32 where the composite ops round it (each op's result is stored as f32), so the fused
 * and composite paths give the same bits; double rounding through f64 is exact for + − × ÷ and √.
 */
export function hostAdamStep(args: AdamStepArgs<HostHandle>): { mu: TypedArray; nu: TypedArray; update: TypedArray } {
  const { grad, beta1, beta2 } = args;
  checkAdamStepArgs(args);
  const g = elements(grad);
  const m = elements(args.mu);
  const v = elements(args.nu);
  const bc1 = args.bc1.handle.data[args.bc1.offset]!;
  const bc2 = args.bc2Sqrt.handle.data[args.bc2Sqrt.offset]!;
  const n = g.length;
  const mu = allocate(grad.dtype, n);
  const nu = allocate(grad.dtype, n);
  const update = allocate(grad.dtype, n);
  if (grad.dtype === 'f32') {
    // Two monomorphic loops: Math.fround inline in the f32 one, nothing to round in the f64 one.
    const f = Math.fround;
    const [b1, c1, b2, c2, eps] = [f(beta1), f(1 - beta1), f(beta2), f(1 - beta2), f(args.eps)];
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      const mi = f(f(m[i]! * b1) + f(gi * c1));
      const vi = f(f(v[i]! * b2) + f(f(gi * gi) * c2));
      mu[i] = mi;
      nu[i] = vi;
      update[i] = f(mi / bc1) / f(f(f(Math.sqrt(vi)) / bc2) + eps);
    }
  } else {
    const [c1, c2, eps] = [1 - beta1, 1 - beta2, args.eps];
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      const mi = m[i]! * beta1 + gi * c1;
      const vi = v[i]! * beta2 + gi * gi * c2;
      mu[i] = mi;
      nu[i] = vi;
      update[i] = mi / bc1 / (Math.sqrt(vi) / bc2 + eps);
    }
  }
  return { mu, nu, update };
}
