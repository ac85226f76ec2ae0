import { sizeOf } from '@rnnkit/tensor';
import type { AdamStepArgs, TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';
import type { Engine } from '../internal/engine.js';
import { put, scoped } from './common.js';

/** One pass of the engine's adamStep over copies of grad and the moments, which it overwrites in place. */
export function adamStep(e: Engine, a: AdamStepArgs<WasmHandle>): { mu: TypedArray; nu: TypedArray; update: TypedArray } {
  return scoped(e, () => {
    const n = sizeOf(a.grad.shape);
    const [g, m, v] = [put(e, a.grad), put(e, a.mu), put(e, a.nu)];
    // Constants rounded to the dtype as the composite ops would hold them.
    const r = e.elementBytes === 4 ? Math.fround : (x: number) => x;
    const scalar = (x: View<WasmHandle>) => x.handle.data[x.offset]!;
    e.ops.adamStep(n, g, m, v, scalar(a.bc1), scalar(a.bc2Sqrt), r(a.beta1), r(1 - a.beta1), r(a.beta2), r(1 - a.beta2), r(a.eps));
    return { mu: e.take(m, n), nu: e.take(v, n), update: e.take(g, n) };
  });
}
