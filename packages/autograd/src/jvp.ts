import { fail, fmtShape, scope, unscoped, withTracer, zerosLike, type Equation, type Primitive, type Tensor, type Tracer } from '@rnnkit/tensor';
import { rules, type Rule } from './rules.js';

// Carries a tangent beside every value that depends on the inputs. The tracer owns the tangents
// it makes (outside every scope, so a function's own scope() cannot free them under it).
class JvpTracer implements Tracer {
  readonly tangents = new Map<number, Tensor>();
  readonly made: Tensor[] = [];

  record(eqn: Equation): void {
    const tin = eqn.inputs.map((t) => this.tangents.get(t.id) ?? null);
    if (tin.every((t) => t === null)) return;
    const rule = rules[eqn.prim] as Rule<Primitive>;
    const tout = unscoped(() => scope(() => rule.jvp(eqn, tin)));
    eqn.outputs.forEach((o, i) => {
      const t = tout[i];
      if (!t) return;
      // A rule may pass an input tangent through; give the output its own owner.
      const own = tin.includes(t) || this.made.includes(t) ? unscoped(() => t.withLayout(t.shape, t.strides, t.offset)) : t;
      this.made.push(own);
      this.tangents.set(o.id, own);
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
  const tracer = new JvpTracer();
  primals.forEach((p, i) => tracer.tangents.set(p.id, tangents[i]!));
  try {
    const out = scope(() => withTracer(tracer, () => f(...primals)));
    const t = tracer.tangents.get(out.id);
    // The caller owns what comes back: a fresh view of the output tangent, or zeros.
    return [out, t ? t.withLayout(t.shape, t.strides, t.offset) : zerosLike(out)];
  } finally {
    for (const t of tracer.made) t.dispose();
  }
}
