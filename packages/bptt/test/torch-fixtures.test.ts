// Replays PyTorch golden fixtures (test/fixtures/rnn.json, made by `python3 tools/fixtures/rnn.py`)
// with rnnkit on the CPU backend: outputs, final states and the gradients of
// L = Σ out·wOut + Σ hT·wH (+ Σ cT·wC) with respect to every parameter, the input and the initial
// state, in f64 and f32, under the project's tolerance rule (docs/conventions.md). Single-layer
// cases run through `scan` and `recurrent`, stacked and bidirectional ones through `recurrent`;
// each on the composite path (fused: false), the default path (the backend's fused kernels where
// the cell allows) and, with variable lengths, packed. Truncated BPTT loops its windows here,
// carrying the final state (returned as aux, so detached) into the next window.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { add, mul, sum, tensor, treeDispose, type Backend, type Cell, type CellState, type DType, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { valueAndGradWithAux } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { expectClose } from '@rnnkit/testing';
import { recurrent, scan, type ScanOptions } from '../src/index.js';

interface ArrayFixture {
  readonly shape: number[];
  readonly data: number[];
}

type FloatDType = 'f32' | 'f64';

interface CellFixture {
  readonly activation?: 'tanh' | 'relu';
  readonly projSize?: number;
  readonly resetAfter?: boolean;
}

interface CaseBase {
  readonly name: string;
  readonly dtype: FloatDType;
  readonly cell: CellFixture;
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  /** PyTorch names: weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, weight_hr_l{k}. */
  readonly params: Record<string, ArrayFixture>;
  readonly x: ArrayFixture;
  /** [layers·directions, B, ·], PyTorch's layout. */
  readonly h0: ArrayFixture;
  readonly c0?: ArrayFixture;
}

interface SequenceCase extends CaseBase {
  readonly kind: 'rnn' | 'lstm' | 'gru';
  readonly lengths?: number[];
  readonly wOut: ArrayFixture;
  readonly wH: ArrayFixture;
  readonly wC?: ArrayFixture;
  readonly out: ArrayFixture;
  readonly hT: ArrayFixture;
  readonly cT?: ArrayFixture;
  readonly grads: Record<string, ArrayFixture>;
}

interface WindowFixture {
  readonly start: number;
  readonly wOut: ArrayFixture;
  readonly out: ArrayFixture;
  readonly hT: ArrayFixture;
  readonly cT: ArrayFixture;
  readonly grads: Record<string, ArrayFixture>;
}

interface TbpttCase extends CaseBase {
  readonly kind: 'tbptt';
  readonly window: number;
  readonly windows: WindowFixture[];
  readonly hT: ArrayFixture;
  readonly cT: ArrayFixture;
}

type CaseFixture = SequenceCase | TbpttCase;

const FIXTURE_URL = new URL('./fixtures/rnn.json', import.meta.url);

// A missing or empty file fails the whole file (it is never skipped).
function loadCases(): CaseFixture[] {
  let text: string;
  try {
    text = readFileSync(FIXTURE_URL, 'utf8');
  } catch (e) {
    throw new Error(`rnn fixtures: cannot read ${FIXTURE_URL.pathname}; generate it with \`python3 tools/fixtures/rnn.py\`.`, { cause: e });
  }
  const cases = (JSON.parse(text) as { cases?: CaseFixture[] }).cases;
  if (!Array.isArray(cases) || cases.length === 0) throw new Error(`rnn fixtures: ${FIXTURE_URL.pathname} holds no cases.`);
  return cases;
}

const cases = loadCases();
const sequenceCases = cases.filter((c): c is SequenceCase => c.kind !== 'tbptt');
const tbpttCases = cases.filter((c): c is TbpttCase => c.kind === 'tbptt');

const upload = (be: Backend, a: ArrayFixture, dtype: DType): Tensor => tensor(be, a.data, a.shape, dtype);

/** Entry k = layer·D + d of a [L·D, B, S] PyTorch state tensor, as [B, S]. */
function stateSlice(a: ArrayFixture, k: number): ArrayFixture {
  const [, B, S] = a.shape as [number, number, number];
  return { shape: [B, S], data: a.data.slice(k * B * S, (k + 1) * B * S) };
}

function makeCell(c: CaseBase & { kind: SequenceCase['kind'] | 'tbptt' }, inputSize: number): Cell {
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

const PARAM_NAME = /^(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?$/;

type Layers = { forward: Record<string, Tensor>; reverse?: Record<string, Tensor> }[];

/** PyTorch's flat names → { layers: [{ forward, reverse? }] } (the layout of `recurrent`). */
function loadParams(be: Backend, c: CaseBase): { layers: Layers } {
  const layers: Layers = Array.from({ length: c.numLayers }, () => (c.bidirectional ? { forward: {}, reverse: {} } : { forward: {} }));
  for (const [name, a] of Object.entries(c.params)) {
    const m = PARAM_NAME.exec(name);
    if (!m) throw new Error(`rnn fixtures: unexpected parameter name '${name}' in '${c.name}'.`);
    const layer = layers[Number(m[2])]!;
    (m[3] ? layer.reverse! : layer.forward)[m[1]!] = upload(be, a, c.dtype);
  }
  return { layers };
}

function flatParamNames(c: CaseBase): [string, (p: { layers: Layers }) => Tensor][] {
  return Object.keys(c.params).map((name) => {
    const m = PARAM_NAME.exec(name)!;
    return [name, (p) => (m[3] ? p.layers[Number(m[2])]!.reverse! : p.layers[Number(m[2])]!.forward)[m[1]!]!];
  });
}

/** Concatenates per-(layer, direction) [B, S] tensors back into PyTorch's [L·D, B, S] data. */
function joinStates(ts: readonly Tensor[]): number[] {
  return ts.flatMap((t) => Array.from(t.readSync()));
}

function check(label: string, t: Tensor, want: ArrayFixture, dtype: FloatDType): void {
  expect([...t.shape], `${label}: shape`).toEqual(want.shape);
  expect(t.dtype, `${label}: dtype`).toBe(dtype);
  expectClose(t.readSync(), want.data, dtype, label);
}

function checkJoined(label: string, ts: readonly Tensor[], want: ArrayFixture, dtype: FloatDType): void {
  for (const t of ts) expect(t.dtype, `${label}: dtype`).toBe(dtype);
  expectClose(joinStates(ts), want.data, dtype, label);
}

type Inputs = { params: { layers: Layers }; x: Tensor; h0: Tensor[]; c0?: Tensor[] };
type States = readonly { readonly forward: CellState; readonly reverse?: CellState }[];
type Entry = 'scan' | 'recurrent';
type Path = 'composite' | 'default' | 'packed';

const PATH_OPTIONS: Record<Path, ScanOptions> = { composite: { fused: false }, default: {}, packed: { packed: true } };

/** The state of entry k (= layer·D + d) for PyTorch's ordering. */
function orderStates(states: States, key: 'h' | 'c'): Tensor[] {
  return states.flatMap((s) => [s.forward[key]!, ...(s.reverse ? [s.reverse[key]!] : [])]);
}

function runner(c: SequenceCase, entry: Entry, path: Path): (d: Inputs) => { ys: Tensor; states: States } {
  const D = c.bidirectional ? 2 : 1;
  const isLstm = c.kind === 'lstm';
  const lengths = c.lengths ? { lengths: c.lengths } : {};
  const opts = { ...PATH_OPTIONS[path], ...lengths };
  const initial = (d: Inputs, k: number): CellState => (isLstm ? { h: d.h0[k]!, c: d.c0![k]! } : { h: d.h0[k]! });
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

function runs(c: SequenceCase): [Entry, Path][] {
  const entries: Entry[] = c.numLayers === 1 && !c.bidirectional ? ['scan', 'recurrent'] : ['recurrent'];
  const paths: Path[] = c.lengths ? ['composite', 'default', 'packed'] : ['composite', 'default'];
  return entries.flatMap((e) => paths.map((p) => [e, p] as [Entry, Path]));
}

describe('recurrent core matches PyTorch (tools/fixtures/rnn.py)', () => {
  const be = createCpuBackend();
  // Counts the backend's fused whole-sequence kernel calls, to prove which path each run took.
  const fusedSpies = (['rnnSequence', 'lstmSequence', 'gruSequence'] as const).map((k) => vi.spyOn(be.fused!, k));
  const fusedCalls = () => fusedSpies.reduce((n, s) => n + s.mock.calls.length, 0);

  it('has every case in both dtypes', () => {
    const names = new Set(cases.map((c) => `${c.dtype} ${c.name}`));
    const want = [
      'rnn tanh', 'rnn relu', 'lstm', 'lstm projSize 2', 'gru reset-after', 'gru reset-before', 'lstm 2 layers', 'gru bidirectional concat',
      'lstm packed unsorted lengths', 'gru packed unsorted lengths', 'rnn tanh packed unsorted lengths', 'lstm bidirectional packed unsorted lengths',
      'lstm 200 steps', 'lstm truncated bptt T 12 k 4',
    ];
    for (const n of want) for (const d of ['f64', 'f32']) expect(names).toContain(`${d} ${n}`);
    for (const c of sequenceCases.filter((s) => s.lengths)) {
      const l = c.lengths!;
      expect(l.some((v, i) => i > 0 && v > l[i - 1]!), `${c.name}: lengths are unsorted`).toBe(true);
    }
  });

  const table = sequenceCases.flatMap((c) => runs(c).map(([entry, path]) => [`${c.dtype} ${c.name} (${entry}, ${path})`, c, entry, path] as const));

  it.each(table)('%s', (_, c, entry, path) => {
    const before = be.stats().liveHandles;
    const dt = c.dtype;
    const isLstm = c.kind === 'lstm';
    const K = c.numLayers * (c.bidirectional ? 2 : 1);
    const ks = Array.from({ length: K }, (_, k) => k);
    const inputs: Inputs = {
      params: loadParams(be, c),
      x: upload(be, c.x, dt),
      h0: ks.map((k) => upload(be, stateSlice(c.h0, k), dt)),
      ...(isLstm ? { c0: ks.map((k) => upload(be, stateSlice(c.c0!, k), dt)) } : {}),
    };
    const wOut = upload(be, c.wOut, dt);
    const wH = ks.map((k) => upload(be, stateSlice(c.wH, k), dt));
    const wC = isLstm ? ks.map((k) => upload(be, stateSlice(c.wC!, k), dt)) : [];
    const run = runner(c, entry, path);
    const callsBefore = fusedCalls();

    const { value, grads, aux } = valueAndGradWithAux((d: Inputs) => {
      const res = run(d);
      let loss = sum(mul(res.ys, wOut));
      orderStates(res.states, 'h').forEach((h, k) => (loss = add(loss, sum(mul(h, wH[k]!)))));
      if (isLstm) orderStates(res.states, 'c').forEach((s, k) => (loss = add(loss, sum(mul(s, wC[k]!)))));
      return [loss, res] as const;
    })(inputs);

    try {
      check('out', aux.ys, c.out, dt);
      checkJoined('hT', orderStates(aux.states, 'h'), c.hT, dt);
      if (isLstm) checkJoined('cT', orderStates(aux.states, 'c'), c.cT!, dt);
      for (const [name, get] of flatParamNames(c)) check(`d/d${name}`, get(grads.params), c.grads[name]!, dt);
      check('d/dx', grads.x, c.grads['x']!, dt);
      checkJoined('d/dh0', grads.h0, c.grads['h0']!, dt);
      if (isLstm) checkJoined('d/dc0', grads.c0!, c.grads['c0']!, dt);
      // The default path must really take the fused kernel where the cell has one; the others never do.
      const fusable = path === 'default' && makeCell(c, c.I).sequenceKernel !== undefined;
      expect(fusedCalls() > callsBefore, 'fused kernel used').toBe(fusable);
    } finally {
      treeDispose([value, grads, aux.ys, aux.states, inputs, wOut, wH, wC]);
    }
    expect(be.stats().liveHandles).toBe(before);
  });

  const tbpttTable = tbpttCases.flatMap((c) => (['composite', 'default'] as const).map((path) => [`${c.dtype} ${c.name} (${path})`, c, path] as const));

  it.each(tbpttTable)('%s', (_, c, path) => {
    const before = be.stats().liveHandles;
    const dt = c.dtype;
    const { B, I, T } = c;
    const cell = makeCell(c, I);
    const params = loadParams(be, c).layers[0]!.forward;
    let state = { h: upload(be, stateSlice(c.h0, 0), dt), c: upload(be, stateSlice(c.c0!, 0), dt) };
    expect(c.windows.length).toBe(Math.ceil(T / c.window));
    const callsBefore = fusedCalls();
    try {
      for (const [w, win] of c.windows.entries()) {
        const steps = Math.min(c.window, T - win.start);
        expect(win.start, `window ${w}`).toBe(w * c.window);
        const xw = tensor(be, c.x.data.slice(win.start * B * I, (win.start + steps) * B * I), [steps, B, I], dt);
        const wOut = upload(be, win.wOut, dt);
        type WindowInputs = { params: Record<string, Tensor>; x: Tensor; h0: Tensor; c0: Tensor };
        const { value, grads, aux } = valueAndGradWithAux((d: WindowInputs) => {
          const res = scan(cell, d.params as ParamTree, d.x, { ...PATH_OPTIONS[path], initialState: { h: d.h0, c: d.c0 } });
          return [sum(mul(res.ys, wOut)), res] as const;
        })({ params, x: xw, h0: state.h, c0: state.c });
        try {
          const at = `window ${w}`;
          check(`${at} out`, aux.ys, win.out, dt);
          checkJoined(`${at} hT`, [aux.state['h']!], win.hT, dt);
          checkJoined(`${at} cT`, [aux.state['c']!], win.cT, dt);
          for (const name of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'])
            check(`${at} d/d${name}_l0`, grads.params[name]!, win.grads[`${name}_l0`]!, dt);
          check(`${at} d/dx`, grads.x, win.grads['x']!, dt);
          checkJoined(`${at} d/dh0`, [grads.h0], win.grads['h0']!, dt);
          checkJoined(`${at} d/dc0`, [grads.c0], win.grads['c0']!, dt);
        } finally {
          treeDispose([value, grads, aux.ys, xw, wOut, state]);
          // The final state, a plain tensor once valueAndGrad returns, seeds the next window.
          state = { h: aux.state['h']!, c: aux.state['c']! };
        }
      }
      checkJoined('carried hT', [state.h], c.hT, dt);
      checkJoined('carried cT', [state.c], c.cT, dt);
      expect(fusedCalls() > callsBefore, 'fused kernel used').toBe(path === 'default');
    } finally {
      treeDispose([params, state]);
    }
    expect(be.stats().liveHandles).toBe(before);
  });
});
