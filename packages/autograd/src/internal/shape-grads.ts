import { concat, expand, reshape, sum, zeros, type Shape, type Tensor } from '@rnnkit/tensor';

/** Sums a broadcast gradient back to the shape of the operand that was broadcast. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = sum(g, axes, true);
  const out = reshape(s, shape);
  s.dispose();
  return out;
}

/** Broadcasts a tangent (or cotangent) to `shape`, as a view. */
export function broadcastTo(t: Tensor, shape: Shape): Tensor {
  if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return t;
  return expand(t, shape);
}

/** Places g (the gradient of a slice) back into zeros of the sliced tensor's shape. */
export function padSlice(g: Tensor, begin: readonly number[], end: readonly number[], shape: Shape): Tensor {
  let out = g;
  for (let axis = 0; axis < shape.length; axis++) {
    const before = begin[axis]!;
    const after = shape[axis]! - end[axis]!;
    if (before === 0 && after === 0) continue;
    const parts: Tensor[] = [];
    const side = (n: number) => zeros(g.backend, out.shape.map((d, i) => (i === axis ? n : d)), g.dtype);
    if (before > 0) parts.push(side(before));
    parts.push(out);
    if (after > 0) parts.push(side(after));
    const next = concat(parts, axis);
    for (const p of parts) if (p !== g) p.dispose();
    out = next;
  }
  return out;
}
