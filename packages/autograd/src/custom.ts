import { fail, record, reshape, scope, untraced, zerosLike, type Tensor } from '@rnnkit/tensor';
import { jvp } from './jvp.js';
import { vjp } from './vjp.js';

export interface CustomForward {
  readonly outputs: Tensor | readonly Tensor[];
  /** Tensors the backward needs. Kept alive while a tape needs them, freed after. */
  readonly residuals?: readonly Tensor[];
}

export interface CustomRules {
  /**
   * Input cotangents from output cotangents (null = zero). `needs[i]` is false when input i leads to
   * nothing differentiated (data, say): the rule may return null for it and skip that work.
   */
  readonly vjp: (cotangents: readonly (Tensor | null)[], residuals: readonly Tensor[], inputs: readonly Tensor[], needs: readonly boolean[]) => (Tensor | null)[];
  /** Optional forward-mode rule: output tangents from input tangents. */
  readonly jvp?: (tangents: readonly (Tensor | null)[], residuals: readonly Tensor[], inputs: readonly Tensor[]) => (Tensor | null)[];
}

/**
 * A function with a derivative you supply (fused kernels use it). `forward` runs untraced; tracers
 * see one `custom` primitive whose rules are yours. Intermediates of `forward` are freed except its
 * outputs and residuals.
 */
export function customVjp(name: string, forward: (...xs: Tensor[]) => CustomForward, rules: CustomRules): (...xs: Tensor[]) => Tensor[] {
  return (...xs) => {
    const fwd = untraced(() => scope(() => forward(...xs)));
    const outputs = Array.isArray(fwd.outputs) ? [...(fwd.outputs as readonly Tensor[])] : [fwd.outputs as Tensor];
    const residuals = fwd.residuals ?? [];
    record('custom', xs, outputs, { name, residuals, vjp: rules.vjp, ...(rules.jvp ? { jvp: rules.jvp } : {}) });
    // Tracers retained what they need; residuals that are not also inputs or outputs are ours to free.
    for (const r of residuals) if (!outputs.includes(r) && !xs.includes(r)) r.dispose();
    return outputs;
  };
}

/**
 * Gradient checkpointing: `checkpoint(f)` computes the same values as f but keeps only its inputs
 * for the backward and recomputes f's intermediates there, trading compute for memory (O(√T) BPTT).
 * f may return one tensor or several.
 */
export function checkpoint<R extends Tensor | readonly Tensor[]>(f: (...xs: Tensor[]) => R): (...xs: Tensor[]) => R {
  let many = false; // whether f returned an array, so the wrapper can return the same
  const run = customVjp('checkpoint', (...xs) => {
    const outputs = f(...xs);
    many = Array.isArray(outputs);
    return { outputs };
  }, {
    vjp: (cts, _residuals, inputs) => {
      const again = vjp(f, inputs);
      const grads = again.backward(cts);
      for (const o of again.outputs) o.dispose();
      return grads;
    },
    jvp: (tangents, _residuals, inputs) => [forwardTangent(f, inputs, tangents)],
  });
  return (...xs) => {
    const outs = run(...xs);
    return (many ? outs : outs[0]) as R;
  };
}

function forwardTangent(f: (...xs: Tensor[]) => Tensor | readonly Tensor[], xs: readonly Tensor[], dxs: readonly (Tensor | null)[]): Tensor {
  return scope(() => {
    const tangents = xs.map((x, i) => dxs[i] ?? zerosLike(x));
    const single = (...ys: Tensor[]) => {
      const r = f(...ys);
      if (Array.isArray(r)) fail('jvp: checkpoint of a function with several outputs has no forward-mode rule yet; checkpoint each output separately.');
      return r as Tensor;
    };
    const [out, t] = jvp(single, xs, tangents);
    out.dispose();
    return t;
  });
}

/** The same values with no gradient flowing back through them (a metadata-only view). */
export function stopGradient(x: Tensor): Tensor {
  return untraced(() => reshape(x, x.shape));
}
