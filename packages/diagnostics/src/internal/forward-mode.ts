import { rules, type Rule } from '@rnnkit/autograd';
import { fail, fmtShape, scope, withTracer, zerosLike, type Equation, type Primitive, type Tensor, type Tracer } from '@rnnkit/tensor';

// Carries a tangent beside every value that depends on the primal, holding its own reference to
// each one. autograd's `jvp` stores tangents without a reference, so a function that opens its own
// scope() (every built-in cell step does) frees the tangents it computed when that scope closes
// and the output tangent arrives disposed. Retaining them here sidesteps that; the fix belongs in
// @rnnkit/autograd's JvpTracer (retain in record, free at the end), after which this file can go.
class RetainingJvpTracer implements Tracer {
  readonly tangents = new Map<number, Tensor>();
  readonly owned: Tensor[] = [];

  record(eqn: Equation): void {
    const tin = eqn.inputs.map((t) => this.tangents.get(t.id) ?? null);
    if (tin.every((t) => t === null)) return;
    const rule = rules[eqn.prim] as Rule<Primitive>;
    const tout = scope(() => rule.jvp(eqn, tin));
    eqn.outputs.forEach((o, i) => {
      const t = tout[i];
      if (!t) return;
      const mine = t.retain();
      this.owned.push(mine);
      this.tangents.set(o.id, mine);
    });
  }
}

/** Forward mode for one input and one output: [f(x), J·v]; both are the caller's. */
export function forwardJvp(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor): [Tensor, Tensor] {
  if (v.dtype !== x.dtype || v.rank !== x.rank || v.shape.some((d, k) => d !== x.shape[k]))
    fail(`jvp: tangent is ${v.dtype} ${fmtShape(v.shape)} but the primal is ${x.dtype} ${fmtShape(x.shape)}; they must match.`);
  const tracer = new RetainingJvpTracer();
  tracer.tangents.set(x.id, v);
  try {
    return scope(() => {
      const out = withTracer(tracer, () => f(x));
      const t = tracer.tangents.get(out.id);
      return [out, t ? t.withLayout(t.shape, t.strides, t.offset) : zerosLike(out)];
    });
  } finally {
    for (const t of tracer.owned) t.dispose();
  }
}
