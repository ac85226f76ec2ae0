// Replays PyTorch golden fixtures (test/fixtures/rnn.json, made by `python3 tools/fixtures/rnn.py`)
// with rnnkit on the CPU backend: outputs, final states and the gradients of
// L = Σ out·wOut + Σ hT·wH (+ Σ cT·wC) with respect to every parameter, the input and the initial
// state, in f64 and f32, under the project's tolerance rule (docs/conventions.md). Single-layer
// cases run through `scan` and `recurrent`, stacked and bidirectional ones through `recurrent`;
// each on the composite path (fused: false), the default path (the backend's fused kernels where
// the cell allows) and, with variable lengths, packed. Truncated BPTT loops its windows here,
// carrying the final state (returned as aux, so detached) into the next window.
import { describe, expect, it, vi } from 'vitest';
import { mul, sum, treeDispose, type Cell, type CellState, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { valueAndGradWithAux } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { gru, lstm, rnn } from '@rnnkit/cells';
import {
  expectFixtureClose, expectRnnFixtureMatch, fixtureRow, fixtureRows, fixtureTensor, loadRnnFixtures, RNN_FIXTURE_NAMES, RNN_FIXTURE_PATH_OPTIONS, rnnFixtureInputs,
  rnnFixtureLoss, rnnFixtureRuns, torchRnnParams, torchStateOrder, type RnnFixtureBase, type RnnFixtureEntry,
  type RnnFixtureInputs, type RnnFixturePath, type RnnSequenceFixture, type RnnTbpttFixture,
} from '@rnnkit/testing';
import { recurrent, scan } from '../src/index.js';

// A missing or empty file fails the whole file (it is never skipped).
const cases = loadRnnFixtures(new URL('./fixtures/rnn.json', import.meta.url));
const sequenceCases = cases.filter((c): c is RnnSequenceFixture => c.kind !== 'tbptt');
const tbpttCases = cases.filter((c): c is RnnTbpttFixture => c.kind === 'tbptt');

function makeCell(c: RnnFixtureBase & { kind: RnnSequenceFixture['kind'] | 'tbptt' }, inputSize: number): Cell {
  const common = { inputSize, hiddenSize: c.H, dtype: c.dtype };
  switch (c.kind) {
    case 'rnn':
      return rnn({ ...common, activation: c.cell.activation ?? 'tanh' });
    case 'lstm':
    case 'tbptt':
      return lstm({ ...common, ...(c.cell.projSize ? { projSize: c.cell.projSize } : {}) });
    case 'gru':
      return gru({ ...common, resetAfter: c.cell.resetAfter ?? true });
  }
}

type States = readonly { readonly forward: CellState; readonly reverse?: CellState }[];

function runner(c: RnnSequenceFixture, entry: RnnFixtureEntry, path: RnnFixturePath): (d: RnnFixtureInputs) => { ys: Tensor; states: States } {
  const D = c.bidirectional ? 2 : 1;
  const isLstm = c.kind === 'lstm';
  const lengths = c.lengths ? { lengths: c.lengths } : {};
  const opts = { ...RNN_FIXTURE_PATH_OPTIONS[path], ...lengths };
  const initial = (d: RnnFixtureInputs, k: number): CellState => (isLstm ? { h: d.h0[k]!, c: d.c0![k]! } : { h: d.h0[k]! });
  if (entry === 'scan') {
    const cell = makeCell(c, c.I);
    return (d) => {
      const { ys, state } = scan(cell, d.params.layers[0]!.forward as ParamTree, d.x, { ...opts, initialState: initial(d, 0) });
      return { ys, states: [{ forward: state }] };
    };
  }
  const model = recurrent({ cell: (inputSize: number) => makeCell(c, inputSize), inputSize: c.I, numLayers: c.numLayers, bidirectional: c.bidirectional, merge: 'concat' });
  return (d) => {
    const initialStates = Array.from({ length: c.numLayers }, (_, l) =>
      c.bidirectional ? { forward: initial(d, l * D), reverse: initial(d, l * D + 1) } : { forward: initial(d, l * D) },
    );
    return model.run(d.params, d.x, { ...opts, initialStates });
  };
}

describe('recurrent core matches PyTorch (tools/fixtures/rnn.py)', () => {
  const be = createCpuBackend();
  // Counts the backend's fused whole-sequence kernel calls, to prove which path each run took.
  const fusedSpies = (['rnnSequence', 'lstmSequence', 'gruSequence'] as const).map((k) => vi.spyOn(be.fused!, k));
  const fusedCalls = () => fusedSpies.reduce((n, s) => n + s.mock.calls.length, 0);

  it('has every case in both dtypes', () => {
    const names = new Set(cases.map((c) => `${c.dtype} ${c.name}`));
    for (const n of RNN_FIXTURE_NAMES) for (const d of ['f64', 'f32']) expect(names).toContain(`${d} ${n}`);
    for (const c of sequenceCases.filter((s) => s.lengths)) {
      const l = c.lengths!;
      expect(l.some((v, i) => i > 0 && v > l[i - 1]!), `${c.name}: lengths are unsorted`).toBe(true);
    }
  });

  const table = sequenceCases.flatMap((c) => rnnFixtureRuns(c).map(([entry, path]) => [`${c.dtype} ${c.name} (${entry}, ${path})`, c, entry, path] as const));

  it.each(table)('%s', (_, c, entry, path) => {
    const before = be.stats().liveHandles;
    const dt = c.dtype;
    const isLstm = c.kind === 'lstm';
    const { inputs, weights } = rnnFixtureInputs(be, c, dt);
    const run = runner(c, entry, path);
    const callsBefore = fusedCalls();

    const { value, grads, aux } = valueAndGradWithAux((d: RnnFixtureInputs) => {
      const res = run(d);
      const loss = rnnFixtureLoss(weights, res.ys, torchStateOrder(res.states, 'h'), isLstm ? torchStateOrder(res.states, 'c') : []);
      return [loss, res] as const;
    })(inputs);

    try {
      expectRnnFixtureMatch(c, aux, grads, dt);
      // The default path must really take the fused kernel where the cell has one; the others never do.
      const fusable = path === 'default' && makeCell(c, c.I).sequenceKernel !== undefined;
      expect(fusedCalls() > callsBefore, 'fused kernel used').toBe(fusable);
    } finally {
      treeDispose([value, grads, aux.ys, aux.states, inputs, weights]);
    }
    expect(be.stats().liveHandles).toBe(before);
  });

  const tbpttTable = tbpttCases.flatMap((c) => (['composite', 'default'] as const).map((path) => [`${c.dtype} ${c.name} (${path})`, c, path] as const));

  it.each(tbpttTable)('%s', (_, c, path) => {
    const before = be.stats().liveHandles;
    const dt = c.dtype;
    const { I, T } = c;
    const cell = makeCell(c, I);
    const params = torchRnnParams(be, c, dt).layers[0]!.forward;
    let state = { h: fixtureTensor(be, fixtureRow(c.h0, 0), dt), c: fixtureTensor(be, fixtureRow(c.c0!, 0), dt) };
    expect(c.windows.length).toBe(Math.ceil(T / c.window));
    const callsBefore = fusedCalls();
    try {
      for (const [w, win] of c.windows.entries()) {
        const steps = Math.min(c.window, T - win.start);
        expect(win.start, `window ${w}`).toBe(w * c.window);
        const xw = fixtureTensor(be, fixtureRows(c.x, win.start, win.start + steps), dt);
        const wOut = fixtureTensor(be, win.wOut, dt);
        type WindowInputs = { params: Record<string, Tensor>; x: Tensor; h0: Tensor; c0: Tensor };
        const { value, grads, aux } = valueAndGradWithAux((d: WindowInputs) => {
          const res = scan(cell, d.params as ParamTree, d.x, { ...RNN_FIXTURE_PATH_OPTIONS[path], initialState: { h: d.h0, c: d.c0 } });
          return [sum(mul(res.ys, wOut)), res] as const;
        })({ params, x: xw, h0: state.h, c0: state.c });
        try {
          const at = `window ${w}`;
          expectFixtureClose(`${at} out`, aux.ys, win.out, dt);
          expectFixtureClose(`${at} hT`, [aux.state['h']!], win.hT, dt);
          expectFixtureClose(`${at} cT`, [aux.state['c']!], win.cT, dt);
          for (const name of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'])
            expectFixtureClose(`${at} d/d${name}_l0`, grads.params[name]!, win.grads[`${name}_l0`]!, dt);
          expectFixtureClose(`${at} d/dx`, grads.x, win.grads['x']!, dt);
          expectFixtureClose(`${at} d/dh0`, [grads.h0], win.grads['h0']!, dt);
          expectFixtureClose(`${at} d/dc0`, [grads.c0], win.grads['c0']!, dt);
        } finally {
          treeDispose([value, grads, aux.ys, xw, wOut, state]);
          // The final state, a plain tensor once valueAndGrad returns, seeds the next window.
          state = { h: aux.state['h']!, c: aux.state['c']! };
        }
      }
      expectFixtureClose('carried hT', [state.h], c.hT, dt);
      expectFixtureClose('carried cT', [state.c], c.cT, dt);
      expect(fusedCalls() > callsBefore, 'fused kernel used').toBe(path === 'default');
    } finally {
      treeDispose([params, state]);
    }
    expect(be.stats().liveHandles).toBe(before);
  });
});
