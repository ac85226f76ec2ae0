import { isFloat, scope, withTracer, type Tensor } from '@rnnkit/tensor';
import { Tape } from './tape.js';

export interface VjpResult {
  /** The function's outputs; yours to dispose. */
  readonly outputs: readonly Tensor[];
  /**
   * Cotangents of the inputs given cotangents of the outputs (null = zero). One call only: it frees
   * the recorded computation. Returns null for inputs the outputs do not depend on.
   */
  backward(cotangents: readonly (Tensor | null)[]): (Tensor | null)[];
  /** Frees the recorded computation without running the backward. */
  dispose(): void;
}

/**
 * Runs `f` and returns its outputs with a pullback: the general reverse mode under `valueAndGrad`,
 * for several outputs or a cotangent other than ones (diagnostics use it for ∂L/∂h_t probes).
 */
export function vjp(f: (...xs: Tensor[]) => Tensor | readonly Tensor[], xs: readonly Tensor[]): VjpResult {
  const tape = new Tape();
  for (const x of xs) if (isFloat(x.dtype)) tape.watch(x);
  let result: Tensor | readonly Tensor[];
  try {
    result = scope(() => withTracer(tape, () => f(...xs)));
  } catch (e) {
    tape.dispose();
    throw e;
  }
  const outputs = Array.isArray(result) ? (result as readonly Tensor[]) : [result as Tensor];
  let used = false;
  return {
    outputs,
    backward(cotangents) {
      if (used) throw new Error('vjp: backward() was already called; the recorded computation is freed after one use.');
      used = true;
      try {
        const seeds = new Map<number, Tensor>();
        outputs.forEach((o, i) => {
          const g = cotangents[i];
          if (g) seeds.set(o.id, g.retain());
        });
        const got = tape.backward(seeds, new Set(xs.map((x) => x.id)));
        return xs.map((x) => {
          const g = got.get(x.id) ?? null;
          got.delete(x.id);
          return g;
        });
      } finally {
        tape.dispose();
      }
    },
    dispose() {
      used = true;
      tape.dispose();
    },
  };
}
