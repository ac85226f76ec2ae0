import { add, isFloat, reshape, scope, type CustomAttrs, type Equation, type Tensor, type Tracer } from '@rnnkit/tensor';
import { rules, type Rule } from './rules.js';

interface Node {
  readonly eqn: Equation; // with retained copies, so user disposals cannot break the backward
  readonly inIds: readonly number[];
  readonly outIds: readonly number[];
}

/**
 * Records the primitives that depend on watched tensors, holding its own references to what the
 * backward needs, and replays them in reverse to compute cotangents.
 */
export class Tape implements Tracer {
  readonly #nodes: Node[] = [];
  readonly #live = new Set<number>();

  watch(t: Tensor): void {
    this.#live.add(t.id);
  }

  record(eqn: Equation): void {
    if (!eqn.inputs.some((t) => this.#live.has(t.id))) return;
    for (const t of eqn.outputs) if (isFloat(t.dtype)) this.#live.add(t.id);
    let attrs = eqn.attrs;
    if (eqn.prim === 'custom') {
      const custom = attrs as CustomAttrs;
      attrs = { ...custom, residuals: custom.residuals.map((r) => r.retain()) };
    }
    this.#nodes.push({
      eqn: { prim: eqn.prim, inputs: eqn.inputs.map((t) => t.retain()), outputs: eqn.outputs.map((t) => t.retain()), attrs },
      inIds: eqn.inputs.map((t) => t.id),
      outIds: eqn.outputs.map((t) => t.id),
    });
  }

  /**
   * Propagates `seeds` (output id → cotangent, consumed) back through the tape and returns the
   * cotangents of `wanted` ids (absent when no path leads there). Intermediate cotangents are freed.
   */
  backward(seeds: Map<number, Tensor>, wanted: ReadonlySet<number>): Map<number, Tensor> {
    const cts = seeds;
    for (let n = this.#nodes.length - 1; n >= 0; n--) {
      const node = this.#nodes[n]!;
      const outCts = node.outIds.map((id) => cts.get(id) ?? null);
      if (outCts.every((g) => g === null)) continue;
      for (const id of node.outIds) if (!wanted.has(id)) cts.delete(id);
      const rule = rules[node.eqn.prim] as Rule<typeof node.eqn.prim>;
      const needs = node.inIds.map((id) => this.#live.has(id));
      const inCts = scope(() => distinct(rule.vjp(node.eqn, outCts, needs), outCts));
      for (const g of outCts) if (g && !inCts.includes(g)) g.dispose();
      node.inIds.forEach((id, i) => {
        const g = inCts[i];
        if (!g || !this.#live.has(id)) return g?.dispose();
        const prev = cts.get(id);
        if (!prev) return cts.set(id, g);
        cts.set(id, add(prev, g));
        prev.dispose();
        g.dispose();
      });
    }
    const out = new Map<number, Tensor>();
    for (const [id, g] of cts) {
      if (wanted.has(id)) out.set(id, g);
      else g.dispose();
    }
    return out;
  }

  /** Releases every reference the tape holds. */
  dispose(): void {
    for (const { eqn } of this.#nodes) {
      for (const t of [...eqn.inputs, ...eqn.outputs]) t.dispose();
      if (eqn.prim === 'custom') for (const r of (eqn.attrs as CustomAttrs).residuals) r.dispose();
    }
    this.#nodes.length = 0;
    this.#live.clear();
  }
}

// Each cotangent gets its own owner: a rule may return one tensor for several inputs, or pass an
// output cotangent through unchanged; aliases (traced reshapes) keep disposal unambiguous.
function distinct(cts: (Tensor | null)[], outCts: readonly (Tensor | null)[]): (Tensor | null)[] {
  const seen = new Set<Tensor>();
  return cts.map((g) => {
    if (!g) return null;
    if (seen.has(g)) return reshape(g, g.shape);
    seen.add(g);
    return outCts.includes(g) ? reshape(g, g.shape) : g;
  });
}
