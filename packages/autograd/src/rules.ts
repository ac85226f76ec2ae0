import {
  add, cast, concat, div, eq, expand, fail, gather, gt, isFloat, log, lt, matmul, mul, neg, permute, pow, reshape, scatterAdd,
  sign, slice, split, sub, sum, where, zerosLike, type Equation, type Primitive, type Tensor,
} from '@rnnkit/tensor';
import { broadcastTo, padSlice, sumTo } from './internal/shape-grads.js';

type Maybe = Tensor | null;

/**
 * How one primitive differentiates. `vjp` maps output cotangents to input cotangents (reverse
 * mode); `jvp` maps input tangents to output tangents (forward mode). null means zero. Rules run
 * inside a scope, so temporaries they create are freed for them.
 */
export interface Rule<P extends Primitive> {
  /** `needs[i]` is false when input i leads to nothing differentiated: a rule may return null for it and skip the work. */
  vjp(eqn: Equation<P>, cts: readonly Maybe[], needs: readonly boolean[]): Maybe[];
  jvp(eqn: Equation<P>, tangents: readonly Maybe[]): Maybe[];
}

const ins = (e: Equation) => e.inputs;
const y = (e: Equation) => e.outputs[0]!;

// Elementwise unary: the derivative as a function of x and y, used by both modes.
function unaryRule(deriv: (x: Tensor, y: Tensor) => Tensor): Rule<Primitive> {
  return {
    vjp: (e, [g]) => [g ? mul(g, deriv(ins(e)[0]!, y(e))) : null],
    jvp: (e, [dx]) => [dx ? mul(dx, deriv(ins(e)[0]!, y(e))) : null],
  };
}

const noGrad: Rule<Primitive> = { vjp: (e) => e.inputs.map(() => null), jvp: (e) => e.outputs.map(() => null) };

// Elementwise binary: partial derivatives wrt a and b (a number is a constant factor, null is zero);
// cotangents are summed back over broadcast axes.
type Partial = (a: Tensor, b: Tensor, y: Tensor) => Tensor | number | null;

function scaled(t: Tensor, p: Tensor | number): Tensor {
  if (p === 1) return t;
  if (p === -1) return neg(t);
  return mul(t, p);
}

function binaryRule(da: Partial, db: Partial): Rule<Primitive> {
  return {
    vjp: (e, [g], needs) => {
      if (!g) return [null, null];
      const [a, b] = ins(e) as [Tensor, Tensor];
      const pa = needs[0] === false ? null : da(a, b, y(e));
      const pb = needs[1] === false ? null : db(a, b, y(e));
      return [pa === null ? null : sumTo(scaled(g, pa), a.shape), pb === null ? null : sumTo(scaled(g, pb), b.shape)];
    },
    jvp: (e, [ta, tb]) => {
      const [a, b] = ins(e) as [Tensor, Tensor];
      const pa = ta ? da(a, b, y(e)) : null;
      const pb = tb ? db(a, b, y(e)) : null;
      const terms: Tensor[] = [];
      if (ta && pa !== null) terms.push(scaled(ta, pa));
      if (tb && pb !== null) terms.push(scaled(tb, pb));
      if (terms.length === 0) return [null];
      const total = terms.length === 2 ? add(terms[0]!, terms[1]!) : terms[0]!;
      return [broadcastTo(total, y(e).shape)];
    },
  };
}

// Share of the gradient each side of maximum/minimum gets: 1 where it wins, ½ on ties (as PyTorch).
const winShare = (wins: Tensor, ties: Tensor, dtype: Tensor['dtype']): Tensor => add(cast(wins, dtype), mul(cast(ties, dtype), 0.5));

function reduceRule(): Rule<'reduce'> {
  // Where the max/min was attained, each position gets an equal share.
  const share = (e: Equation<'reduce'>): Tensor | null => {
    const { op, axes, keepDims } = e.attrs;
    if (op === 'sum') return null;
    const x = ins(e)[0]!;
    const yk = keepDims ? y(e) : reshape(y(e), x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
    const mask = cast(eq(x, expand(yk, x.shape)), x.dtype);
    return div(mask, sum(mask, axes, true));
  };
  const keepShape = (e: Equation<'reduce'>) => ins(e)[0]!.shape.map((d, i) => (e.attrs.axes.includes(i) ? 1 : d));
  return {
    vjp: (e, [g]) => {
      if (!g || e.attrs.op === 'argmax') return [null];
      const x = ins(e)[0]!;
      const spread = expand(reshape(g, keepShape(e)), x.shape);
      const s = share(e);
      return [s ? mul(spread, s) : spread];
    },
    jvp: (e, [dx]) => {
      if (!dx || e.attrs.op === 'argmax') return [null];
      const s = share(e);
      return [sum(s ? mul(dx, s) : dx, e.attrs.axes, e.attrs.keepDims)];
    },
  };
}

function inversePermutation(axes: readonly number[]): number[] {
  const inv = new Array<number>(axes.length);
  axes.forEach((a, i) => (inv[a] = i));
  return inv;
}

/** The gradient table: one rule per primitive. A primitive without a rule does not type-check. */
export const rules: { [P in Primitive]: Rule<P> } = {
  neg: { vjp: (_, [g]) => [g ? neg(g) : null], jvp: (_, [dx]) => [dx ? neg(dx) : null] },
  abs: unaryRule((x) => sign(x)),
  sign: noGrad,
  exp: unaryRule((_, yv) => yv),
  log: unaryRule((x) => div(1, x)),
  sqrt: unaryRule((_, yv) => div(0.5, yv)),
  tanh: unaryRule((_, yv) => sub(1, mul(yv, yv))),
  sigmoid: unaryRule((_, yv) => mul(yv, sub(1, yv))),
  isFinite: noGrad,
  add: binaryRule(() => 1, () => 1),
  sub: binaryRule(() => 1, () => -1),
  mul: binaryRule((_, b) => b, (a) => a),
  div: binaryRule((_, b) => div(1, b), (_, b, yv) => neg(div(yv, b))),
  // d/da a^b = b·a^(b−1); d/db = a^b·ln a, taken as 0 where a ≤ 0 (PyTorch does the same at a = 0).
  pow: binaryRule((a, b) => mul(b, pow(a, sub(b, 1))), (a, _, yv) => where(gt(a, 0), mul(yv, log(where(gt(a, 0), a, 1))), 0)),
  maximum: binaryRule((a, b) => winShare(gt(a, b), eq(a, b), a.dtype), (a, b) => winShare(lt(a, b), eq(a, b), a.dtype)),
  minimum: binaryRule((a, b) => winShare(lt(a, b), eq(a, b), a.dtype), (a, b) => winShare(gt(a, b), eq(a, b), a.dtype)),
  eq: noGrad,
  ne: noGrad,
  lt: noGrad,
  le: noGrad,
  gt: noGrad,
  ge: noGrad,
  where: {
    vjp: (e, [g]) => {
      if (!g) return [null, null, null];
      const [c, a, b] = ins(e) as [Tensor, Tensor, Tensor];
      return [null, sumTo(where(c, g, 0), a.shape), sumTo(where(c, 0, g), b.shape)];
    },
    jvp: (e, [, ta, tb]) => {
      if (!ta && !tb) return [null];
      const c = ins(e)[0]!;
      return [broadcastTo(where(c, ta ?? 0, tb ?? 0), y(e).shape)];
    },
  },
  reduce: reduceRule(),
  matmul: {
    vjp: (e, [g], needs) => {
      if (!g) return [null, null];
      const [a, b] = ins(e) as [Tensor, Tensor];
      const swap = (t: Tensor) => permute(t, [...t.shape.keys()].map((i) => (i < t.rank - 2 ? i : i === t.rank - 2 ? t.rank - 1 : t.rank - 2)));
      // A constant operand (the data x in x·Wᵀ) needs no GEMM for its gradient.
      return [needs[0] === false ? null : sumTo(matmul(g, swap(b)), a.shape), needs[1] === false ? null : sumTo(matmul(swap(a), g), b.shape)];
    },
    jvp: (e, [ta, tb]) => {
      const [a, b] = ins(e) as [Tensor, Tensor];
      const terms = [ta ? matmul(ta, b) : null, tb ? matmul(a, tb) : null].filter((t): t is Tensor => t !== null);
      if (terms.length === 0) return [null];
      return [terms.length === 2 ? add(terms[0]!, terms[1]!) : terms[0]!];
    },
  },
  reshape: {
    vjp: (e, [g]) => [g ? reshape(g, ins(e)[0]!.shape) : null],
    jvp: (e, [dx]) => [dx ? reshape(dx, e.attrs.shape) : null],
  },
  permute: {
    vjp: (e, [g]) => [g ? permute(g, inversePermutation(e.attrs.axes)) : null],
    jvp: (e, [dx]) => [dx ? permute(dx, e.attrs.axes) : null],
  },
  slice: {
    vjp: (e, [g]) => [g ? padSlice(g, e.attrs.begin, e.attrs.end, ins(e)[0]!.shape) : null],
    jvp: (e, [dx]) => [dx ? slice(dx, e.attrs.begin, e.attrs.end) : null],
  },
  expand: {
    vjp: (e, [g]) => [g ? sumTo(g, ins(e)[0]!.shape) : null],
    jvp: (e, [dx]) => [dx ? expand(dx, e.attrs.shape) : null],
  },
  copy: { vjp: (_, [g]) => [g ?? null], jvp: (_, [dx]) => [dx ?? null] },
  concat: {
    vjp: (e, [g]) => {
      if (!g) return e.inputs.map(() => null);
      let start = 0;
      return ins(e).map((t) => {
        const begin = t.shape.map((_, i) => (i === e.attrs.axis ? start : 0));
        const end = g.shape.map((d, i) => (i === e.attrs.axis ? start + t.shape[i]! : d));
        start += t.shape[e.attrs.axis]!;
        return slice(g, begin, end);
      });
    },
    jvp: (e, ts) => {
      if (ts.every((t) => !t)) return [null];
      return [concat(ins(e).map((x, i) => ts[i] ?? zerosLike(x)), e.attrs.axis)];
    },
  },
  split: {
    // One concat of the pieces' cotangents (zeros where a piece got none), not a padded copy per piece.
    vjp: (e, cts) => {
      if (cts.every((g) => !g)) return [null];
      return [concat(e.outputs.map((o, i) => cts[i] ?? zerosLike(o)), e.attrs.axis)];
    },
    jvp: (e, [dx]) => (dx ? split(dx, e.attrs.sizes, e.attrs.axis) : e.outputs.map(() => null)),
  },
  cast: {
    vjp: (e, [g]) => [g && isFloat(ins(e)[0]!.dtype) && isFloat(e.attrs.dtype) ? cast(g, ins(e)[0]!.dtype) : null],
    jvp: (e, [dx]) => [dx && isFloat(e.attrs.dtype) ? cast(dx, e.attrs.dtype) : null],
  },
  gather: {
    vjp: (e, [g]) => {
      const [table, idx] = ins(e) as [Tensor, Tensor];
      return [g ? scatterAdd(idx, g, table.shape, e.attrs.axis) : null, null];
    },
    jvp: (e, [dt]) => [dt ? gather(dt, ins(e)[1]!, e.attrs.axis) : null],
  },
  scatterAdd: {
    vjp: (e, [g]) => [null, g ? gather(g, ins(e)[0]!, e.attrs.axis) : null],
    jvp: (e, [, du]) => [du ? scatterAdd(ins(e)[0]!, du, e.attrs.shape, e.attrs.axis) : null],
  },
  custom: {
    vjp: (e, cts, needs) => e.attrs.vjp(cts, e.attrs.residuals, e.inputs, needs),
    jvp: (e, ts) => {
      const rule = e.attrs.jvp ?? fail(`jvp: the custom function '${e.attrs.name}' has no forward-mode rule; pass { jvp } to customVjp.`);
      return rule(ts, e.attrs.residuals, e.inputs);
    },
  },
};
