import { vjp } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { lstm, rnn } from '@rnnkit/cells';
import { stateJacobianNorms } from '@rnnkit/diagnostics';
import { concat, createRng, mul, narrow, normal, split, tensor, treeDispose, type Cell, type CellState, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { linearCell, scaledIdentity } from './helpers.js';

/** Largest eigenvalue of a symmetric matrix (cyclic Jacobi rotations). */
function maxEigenSymmetric(a: number[][]): number {
  const n = a.length;
  const m = a.map((r) => [...r]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p]![q]!) < 1e-300) continue;
        const theta = (m[q]![q]! - m[p]![p]!) / (2 * m[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [mkp, mkq] = [m[k]![p]!, m[k]![q]!];
          m[k]![p] = c * mkp - s * mkq;
          m[k]![q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const [mpk, mqk] = [m[p]![k]!, m[q]![k]!];
          m[p]![k] = c * mpk - s * mqk;
          m[q]![k] = s * mpk + c * mqk;
        }
      }
  }
  return Math.max(...m.map((r, i) => r[i]!));
}

/** The exact ‖∂s'/∂s‖₂ of one step for one row, from the dense Jacobian built row by row with vjp (independent of the jvp under test). */
async function exactNorm<P extends ParamTree, S extends CellState>(cell: Cell<P, S>, params: P, x: Tensor, prev: S): Promise<number> {
  const names = Object.keys(cell.stateSizes);
  const sizes = names.map((k) => (cell.stateSizes as Record<string, number>)[k]!);
  const n = sizes.reduce((a, b) => a + b, 0);
  const be = x.backend;
  const s0 = concat(names.map((k) => prev[k]!), -1);
  const f = (s: Tensor) => {
    const parts = split(s, sizes, -1);
    const st = Object.fromEntries(names.map((k, i) => [k, parts[i]!])) as unknown as S;
    return concat(names.map((k) => cell.step(params, st, x).state[k]!), -1);
  };
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const u = tensor(be, e, [1, n], 'f64');
    const pull = vjp(f, [s0]);
    const [row] = pull.backward([u]);
    cols.push(Array.from(await row!.read()));
    for (const t of [...pull.outputs, row!, u]) t.dispose();
  }
  s0.dispose();
  // The rows of J give JJᵀ, whose top eigenvalue is σ_max² too.
  const jtj = cols.map((ci) => cols.map((cj) => ci.reduce((s, v, k) => s + v * cj[k]!, 0)));
  return Math.sqrt(maxEigenSymmetric(jtj));
}

describe('stateJacobianNorms', () => {
  it('is a exactly for a linear RNN with W = a·I, in every row', async () => {
    const be = createCpuBackend();
    const cell = linearCell(3, 5);
    const rng = createRng(1);
    for (const a of [0.7, 1.3]) {
      const p = { w: scaledIdentity(be, 5, a), u: normal(rng, be, [5, 3], 0, 1, { dtype: 'f64' }) };
      const x = normal(rng, be, [4, 3], 0, 1, { dtype: 'f64' });
      const h = normal(rng, be, [4, 5], 0, 1, { dtype: 'f64' });
      const sigma = await stateJacobianNorms(cell, p, x, { h }, { rng: rng.fork('j') });
      for (const s of sigma) expect(s).toBeCloseTo(a, 12);
      treeDispose([p, x, h]);
    }
    expect(be.stats().liveHandles).toBe(0);
  });

  it('matches the exact spectral norm from the dense Jacobian (tanh RNN and LSTM with s = (h, c)) to 1e-4', async () => {
    const be = createCpuBackend();
    const rng = createRng(2);
    const cases: [Cell, number][] = [
      [rnn({ inputSize: 3, hiddenSize: 6, dtype: 'f64' }), 1],
      [rnn({ inputSize: 3, hiddenSize: 6, dtype: 'f64' }), 4],
      [lstm({ inputSize: 3, hiddenSize: 5, dtype: 'f64' }), 1],
      [lstm({ inputSize: 3, hiddenSize: 5, dtype: 'f64' }), 3],
    ];
    for (const [cell, scale] of cases) {
      const raw = cell.init(rng, be);
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, mul(v as Tensor, scale)])) as ParamTree;
      treeDispose(raw);
      const x = normal(rng, be, [3, 3], 0, 1, { dtype: 'f64' });
      const prev = Object.fromEntries<Tensor>(Object.entries(cell.stateSizes).map(([k, size]) => [k, normal(rng, be, [3, size], 0, 0.5, { dtype: 'f64' })]));
      const sigma = await stateJacobianNorms(cell, params, x, prev, { rng: rng.fork('power'), iterations: 200, tolerance: 1e-12 });
      for (let r = 0; r < 3; r++) {
        const row = (t: Tensor) => narrow(t, 0, r, 1);
        const xr = row(x);
        const pr = Object.fromEntries<Tensor>(Object.entries(prev).map(([k, v]) => [k, row(v)]));
        const exact = await exactNorm(cell, params, xr, pr);
        expect(Math.abs(sigma[r]! - exact) / exact, `${cell.kind} ×${scale} row ${r}: ${sigma[r]} vs ${exact}`).toBeLessThan(1e-4);
        treeDispose([xr, pr]);
      }
      treeDispose([params, x, prev]);
    }
    expect(be.stats().liveHandles).toBe(0);
  });
});
