import { valueAndGrad } from '@rnnkit/autograd';
import { scan } from '@rnnkit/bptt';
import { defineCell } from '@rnnkit/cells';
import { adam, applyUpdates, chain, clipByGlobalNorm, disposeState } from '@rnnkit/optim';
import {
  add, matmul, mean, reshape, scope, select, square, sub, tensor, transpose, treeLeaves, type Backend, type Cell, type CellState, type ParamTree,
  type Rng, type StepTap, type Tensor, normal, zeros,
} from '@rnnkit/tensor';
import type { Diagnostics, ProbeSet } from '@rnnkit/diagnostics';

/** h' = h Wᵀ + x Uᵀ: a linear RNN, whose state Jacobian is W exactly. */
export function linearCell(inputSize: number, hiddenSize: number): Cell<{ w: Tensor; u: Tensor }, { h: Tensor }> {
  return defineCell<{ w: Tensor; u: Tensor }, { h: Tensor }>({
    kind: 'linear',
    inputSize,
    hiddenSize,
    stateSizes: { h: hiddenSize },
    dtype: 'f64',
    init: (rng, be) => ({ w: normal(rng, be, [hiddenSize, hiddenSize], 0, 0.1, { dtype: 'f64' }), u: normal(rng, be, [hiddenSize, inputSize], 0, 0.1, { dtype: 'f64' }) }),
    step: (p, s, x) =>
      scope(() => {
        const h = add(matmul(s.h, transpose(p.w)), matmul(x, transpose(p.u)));
        return { state: { h }, y: h, aux: {} };
      }),
  });
}

/** a·I as an [n, n] f64 tensor. */
export function scaledIdentity(be: Backend, n: number, a: number): Tensor {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) d[i * n + i] = a;
  return tensor(be, d, [n, n], 'f64');
}

export type Model<P extends ParamTree> = { cell: P; head: { w: Tensor; b: Tensor } };

/** MSE of a linear read-out of the last state h_T against y. */
export function lossOf<P extends ParamTree, S extends CellState>(cell: Cell<P, S>, p: Model<P>, xs: Tensor, y: Tensor, tap?: StepTap): Tensor {
  const { state } = scan(cell, p.cell, xs, { fused: false, ...(tap ? { tap } : {}) });
  const out = add(matmul(state['h']!, p.head.w), p.head.b);
  const l = mean(square(sub(out, y)));
  disposeState([state, out]);
  return l;
}

export function initModel<P extends ParamTree, S extends CellState>(cell: Cell<P, S>, rng: Rng, be: Backend): Model<P> {
  return { cell: cell.init(rng, be), head: { w: normal(rng, be, [cell.hiddenSize, 1], 0, 0.3, { dtype: cell.dtype }), b: zeros(be, [1], cell.dtype) } };
}

export interface TrainResult {
  losses: number[];
  params: Float64Array[];
}

/** N steps of Adam + global clip 1, optionally observed; returns the loss trajectory and final parameters. */
export async function train<P extends ParamTree, S extends CellState>(
  cell: Cell<P, S>, be: Backend, seed: () => Rng, steps: number, T: number, B: number, diag?: Diagnostics<ProbeSet>,
): Promise<TrainResult> {
  const rng = seed();
  let params = initModel(cell, rng, be);
  const opt = chain(clipByGlobalNorm(1), adam(1e-2));
  let state = opt.init(params);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { xs, y } = scope(() => {
      const xs = normal(rng, be, [T, B, cell.inputSize], 0, 1, { dtype: cell.dtype });
      const first = select(select(xs, 0, 0), 1, 0);
      return { xs, y: reshape(first, [B, 1]) };
    });
    const { value, grads } = valueAndGrad((p: Model<P>) => lossOf(cell, p, xs, y, diag?.tap))(params);
    const [updates, next] = opt.update(grads, state, params);
    if (diag) await diag.endStep({ loss: value, params, grads, updates, gradNorm: next[0].norm, inputs: xs });
    losses.push((await value.read())[0]!);
    params = applyUpdates(params, updates, { donate: true }) as unknown as Model<P>;
    disposeState([state, grads, value, xs, y]);
    state = next;
  }
  const out = await Promise.all(treeLeaves(params).map(async (t) => Float64Array.from((await t.read()) as ArrayLike<number>)));
  disposeState([params, state]);
  return { losses, params: out };
}
