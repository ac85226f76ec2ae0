// The fast CPU backend under the recurrent core: (1) the PyTorch golden fixtures of @rnnkit/bptt
// (tools/fixtures/rnn.py) replayed through scan / recurrent on backend-wasm, composite, fused and
// packed paths, f32 and f64, for the WebAssembly build and the JS fallback; (2) scan on backend-wasm
// against scan on the reference backend for rnn (tanh, relu), lstm and gru (both modes), f32, with
// lengths, reverse, packed and every gradient.
import { describe, expect, it, vi } from 'vitest';
import { add, mul, sum, tensor, treeDispose, type Backend, type Cell, type CellState, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { valueAndGradWithAux } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createWasmBackend, type WasmBackend } from '@rnnkit/backend-wasm';
import { createRng, treeMap } from '@rnnkit/tensor';
import { gru, lstm, rnn } from '@rnnkit/cells';
import {
  expectClose, expectRnnFixtureMatch, loadRnnFixtures, RNN_FIXTURE_PATH_OPTIONS, rnnFixtureInputs, rnnFixtureLoss, rnnFixtureRuns,
  torchStateOrder, type RnnFixtureBase, type RnnFixtureEntry, type RnnFixtureInputs, type RnnFixturePath, type RnnSequenceFixture, type RnnTbpttFixture,
} from '@rnnkit/testing';
import { recurrent, scan, type ScanOptions } from '@rnnkit/bptt';

type FloatDType = 'f32' | 'f64';

// The recurrent core's PyTorch fixtures, owned by @rnnkit/bptt (read, not imported).
// A missing or empty file fails the whole file (it is never skipped).
const cases = loadRnnFixtures(new URL('../../bptt/test/fixtures/rnn.json', import.meta.url));
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

const LEVELS = ['auto', 'none'] as const;

describe.each(LEVELS)('backend-wasm (simd: %s) replays the PyTorch recurrent fixtures', (level) => {
  const be: WasmBackend = createWasmBackend({ simd: level });
  const fusedSpies = (['rnnSequence', 'lstmSequence', 'gruSequence'] as const).map((k) => vi.spyOn(be.fused!, k));
  const fusedCalls = () => fusedSpies.reduce((n, s) => n + s.mock.calls.length, 0);

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
      const fusable = path === 'default' && makeCell(c, c.I).sequenceKernel !== undefined;
      expect(fusedCalls() > callsBefore, 'fused kernel used').toBe(fusable);
    } finally {
      treeDispose([value, grads, aux.ys, aux.states, inputs, weights]);
    }
    expect(be.stats().liveHandles).toBe(before);
  });

  it('has the truncated-BPTT cases too (run by @rnnkit/bptt on the reference backend)', () => {
    expect(tbpttCases.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- scan on backend-wasm vs scan on backend-cpu

type CellKind = { kind: 'rnn'; activation: 'tanh' | 'relu' } | { kind: 'lstm' } | { kind: 'gru'; resetAfter: boolean };
const KINDS: CellKind[] = [
  { kind: 'rnn', activation: 'tanh' }, { kind: 'rnn', activation: 'relu' }, { kind: 'lstm' },
  { kind: 'gru', resetAfter: true }, { kind: 'gru', resetAfter: false },
];
const kindName = (k: CellKind): string => (k.kind === 'rnn' ? `rnn ${k.activation}` : k.kind === 'gru' ? `gru resetAfter=${k.resetAfter}` : 'lstm');

function cellOf(k: CellKind, I: number, H: number, dtype: FloatDType): Cell {
  const common = { inputSize: I, hiddenSize: H, dtype };
  if (k.kind === 'rnn') return rnn({ ...common, activation: k.activation });
  if (k.kind === 'lstm') return lstm(common);
  return gru({ ...common, resetAfter: k.resetAfter });
}

const SCANS: { name: string; options: ScanOptions }[] = [
  { name: 'fused', options: {} },
  { name: 'reverse', options: { reverse: true } },
  { name: 'lengths', options: { lengths: [7, 3, 5, 1, 7] } },
  { name: 'lengths + reverse', options: { lengths: [2, 7, 4, 6, 1], reverse: true } },
  { name: 'packed', options: { lengths: [3, 7, 1, 5, 6], packed: true } },
  { name: 'composite', options: { fused: false, lengths: [7, 6, 5, 4, 3] } },
];

describe.each(LEVELS)('scan on backend-wasm (simd: %s) matches scan on backend-cpu', (level) => {
  const be = createWasmBackend({ simd: level });
  const ref = createCpuBackend();
  // H = 13: the step kernels run three 4-lane vectors and a 1-lane tail per row.
  const [T, B, I, H] = [7, 5, 6, 13];
  for (const k of KINDS) {
    it.each(SCANS)(`${kindName(k)}, f32: $name (outputs, final state, every gradient)`, ({ options }) => {
      const before = be.stats().liveHandles;
      const isLstm = k.kind === 'lstm';
      // Parameters drawn once (f64, on the reference), then the same numbers on both backends.
      const master = cellOf(k, I, H, 'f64').init(createRng(3), ref);
      const rng = createRng(9);
      const host = {
        params: treeMap(master, (t) => Array.from(t.readSync())) as Record<string, number[]>,
        shapes: treeMap(master, (t) => [...t.shape]) as Record<string, number[]>,
        x: Array.from(rng.normalArray(T * B * I)),
        wOut: Array.from(rng.normalArray(T * B * H)),
        wH: Array.from(rng.normalArray(B * H)),
      };
      treeDispose(master);
      const runOn = (b: Backend, dtype: FloatDType) => {
        const cell = cellOf(k, I, H, dtype);
        const params = Object.fromEntries(Object.entries(host.params).map(([n, v]) => [n, tensor(b, v, host.shapes[n], dtype)]));
        const x = tensor(b, host.x, [T, B, I], dtype);
        const wOut = tensor(b, host.wOut, [T, B, H], dtype);
        const wH = tensor(b, host.wH, [B, H], dtype);
        const { value, grads, aux } = valueAndGradWithAux((d: { params: Record<string, Tensor>; x: Tensor }) => {
          const res = scan(cell, d.params as ParamTree, d.x, options);
          let loss = add(sum(mul(res.ys, wOut)), sum(mul(res.state['h']!, wH)));
          if (isLstm) loss = add(loss, sum(mul(res.state['c']!, wH)));
          return [loss, res] as const;
        })({ params, x });
        const out: Record<string, number[]> = {
          loss: Array.from(value.readSync()), ys: Array.from(aux.ys.readSync()), hT: Array.from(aux.state['h']!.readSync()),
          ...(isLstm ? { cT: Array.from(aux.state['c']!.readSync()) } : {}),
          dx: Array.from(grads.x.readSync()),
          ...Object.fromEntries(Object.entries(grads.params).map(([n, g]) => [`d${n}`, Array.from(g.readSync())])),
        };
        treeDispose([value, grads, aux.ys, aux.state, params, x, wOut, wH]);
        return out;
      };
      const expected = runOn(ref, 'f64');
      const actual = runOn(be, 'f32');
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
      // The loss is one sum with cancellation: its rounding scales with Σ|terms|, not with |loss|.
      const scale = expected['ys']!.reduce((a, y, i) => a + Math.abs(y * host.wOut[i]!), 0) + expected['hT']!.reduce((a, h) => a + Math.abs(h) * 3, 0);
      expectClose(actual['loss']!, expected['loss']!, { rtol: 1e-5, atol: 1e-6 * scale }, 'loss');
      for (const n of Object.keys(expected)) if (n !== 'loss') expectClose(actual[n]!, expected[n]!, 'f32', n);
      expect(be.stats().liveHandles).toBe(before);
    });
  }
});
