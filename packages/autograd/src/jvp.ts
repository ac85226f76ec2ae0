import { fail, fmtShape, scope, withTracer, zerosLike, type Equation, type Primitive, type Tensor, type Tracer } from '@rnnkit/tensor';
import { rules, type Rule } from './rules.js';

// Carries a tangent beside every value that depends on the inputs.
class JvpTracer implements Tracer {
  readonly tangents = new Map<number, Tensor>();

  record(eqn: Equation): void {
    const tin = eqn.inputs.map((t) => this.tangents.get(t.id) ?? null);
    if (tin.every((t) => t === null)) return;
    const rule = rules[eqn.prim] as Rule<Primitive>;
    const tout = rule.jvp(eqn, tin);
    eqn.outputs.forEach((o, i) => {
      const t = tout[i];
      if (t) this.tangents.set(o.id, t);
    });
  }
}

/**
 * Forward mode: f(primals) and the directional derivative J·tangents, without forming J.
 * Returns [output, outputTangent]; both are yours. Diagnostics use it for Jacobian norms.
 */
export function jvp(f: (...xs: Tensor[]) => Tensor, primals: readonly Tensor[], tangents: readonly Tensor[]): [Tensor, Tensor] {
  if (primals.length !== tangents.length) fail(`jvp: ${primals.length} primals but ${tangents.length} tangents; give one tangent per primal.`);
  primals.forEach((p, i) => {
    const t = tangents[i]!;
    if (t.dtype !== p.dtype || t.rank !== p.rank || t.shape.some((d, k) => d !== p.shape[k]))
      fail(`jvp: tangent ${i} is ${t.dtype} ${fmtShape(t.shape)} but its primal is ${p.dtype} ${fmtShape(p.shape)}; they must match.`);
  });
  return scope(() => {
    const tracer = new JvpTracer();
    primals.forEach((p, i) => tracer.tangents.set(p.id, tangents[i]!));
    const out = withTracer(tracer, () => f(...primals));
    const t = tracer.tangents.get(out.id);
    // A tangent that is one of the caller's own tensors must not be handed back as a new owner.
    return [out, t && !tangents.includes(t) ? t : zerosLikeOrCopy(out, t)];
  });
}

function zerosLikeOrCopy(out: Tensor, t: Tensor | undefined): Tensor {
  return t ? t.withLayout(t.shape, t.strides, t.offset) : zerosLike(out);
}
