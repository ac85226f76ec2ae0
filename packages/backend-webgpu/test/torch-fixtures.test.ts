// The recurrent core on WebGPU: (1) the PyTorch golden fixtures of @rnnkit/bptt
// (tools/fixtures/rnn.py; read, not imported) replayed in f32 through scan / recurrent on the
// composite, default (fused) and packed paths, and truncated BPTT; every output, final state and
// gradient is compared, under the f32 tolerance, with the CPU backend computing in f64 from the same
// f32 numbers, and with PyTorch's own f32 results. (2) scan on WebGPU against scan on the CPU
// backend (f64) for rnn tanh/relu, lstm and gru in both modes, with variable lengths, reverse,
// packed and composite, since the fixtures have no lengths case for rnn relu or the reset-before GRU.
import { valueAndGradWithAux } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { recurrent, scan, type ScanOptions } from '@rnnkit/bptt';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { add, createRng, mul, sum, tensor, treeDispose, treeMap, type Backend, type Cell, type CellState, type ParamTree, type Tensor } from '@rnnkit/tensor';
import {
  expectClose, expectNamedClose, fixtureRow, fixtureRows, fixtureTensor, loadRnnFixtures, RNN_FIXTURE_NAMES, RNN_FIXTURE_PATH_OPTIONS,
  rnnFixtureInputs, rnnFixtureLoss, rnnFixtureRuns, torchRnnParam, torchRnnParams, torchStateOrder, type RnnFixtureBase, type RnnFixtureEntry,
  type RnnFixtureInputs, type RnnFixturePath, type RnnSequenceFixture, type RnnTbpttFixture,
} from '@rnnkit/testing';
import { afterAll, beforeAll, describe, expect, it, vi, type TestContext } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { gpuBackend } from './gpu.js';

type FloatDType = 'f32' | 'f64';

// The f32 cases: their numbers are f32 values, so the f64 reference sees exactly what the GPU sees.
// A missing or empty file fails the whole file (it is never skipped).
const cases = loadRnnFixtures(new URL('../../bptt/test/fixtures/rnn.json', import.meta.url)).filter((c) => c.dtype === 'f32');
const sequenceCases = cases.filter((c): c is RnnSequenceFixture => c.kind !== 'tbptt');
const tbpttCases = cases.filter((c): c is RnnTbpttFixture => c.kind === 'tbptt');

function makeCell(c: RnnFixtureBase & { kind: RnnSequenceFixture['kind'] | 'tbptt' }, inputSize: number, dtype: FloatDType): Cell {
  const common = { inputSize, hiddenSize: c.H, dtype };
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

function runner(c: RnnSequenceFixture, entry: RnnFixtureEntry, path: RnnFixturePath, dtype: FloatDType): (d: RnnFixtureInputs) => { ys: Tensor; states: States } {
  const D = c.bidirectional ? 2 : 1;
  const isLstm = c.kind === 'lstm';
  const opts = { ...RNN_FIXTURE_PATH_OPTIONS[path], ...(c.lengths ? { lengths: c.lengths } : {}) };
  const initial = (d: RnnFixtureInputs, k: number): CellState => (isLstm ? { h: d.h0[k]!, c: d.c0![k]! } : { h: d.h0[k]! });
  if (entry === 'scan') {
    const cell = makeCell(c, c.I, dtype);
    return (d) => {
      const { ys, state } = scan(cell, d.params.layers[0]!.forward as ParamTree, d.x, { ...opts, initialState: initial(d, 0) });
      return { ys, states: [{ forward: state }] };
    };
  }
  const model = recurrent({ cell: (inputSize: number) => makeCell(c, inputSize, dtype), inputSize: c.I, numLayers: c.numLayers, bidirectional: c.bidirectional, merge: 'concat' });
  return (d) => {
    const initialStates = Array.from({ length: c.numLayers }, (_, l) =>
      c.bidirectional ? { forward: initial(d, l * D), reverse: initial(d, l * D + 1) } : { forward: initial(d, l * D) },
    );
    return model.run(d.params, d.x, { ...opts, initialStates });
  };
}

const readAll = async (ts: readonly Tensor[]): Promise<number[]> => (await Promise.all(ts.map(async (t) => Array.from(await t.read())))).flat();

/** Every output and gradient of one fixture case on `be` in `dtype`, by name, as host numbers (in PyTorch's layouts). */
async function runSequenceCase(be: Backend, dtype: FloatDType, c: RnnSequenceFixture, entry: RnnFixtureEntry, path: RnnFixturePath): Promise<Record<string, number[]>> {
  const isLstm = c.kind === 'lstm';
  const { inputs, weights } = rnnFixtureInputs(be, c, dtype);
  const run = runner(c, entry, path, dtype);
  const { value, grads, aux } = valueAndGradWithAux((d: RnnFixtureInputs) => {
    const res = run(d);
    const loss = rnnFixtureLoss(weights, res.ys, torchStateOrder(res.states, 'h'), isLstm ? torchStateOrder(res.states, 'c') : []);
    return [loss, res] as const;
  })(inputs);
  try {
    const out: Record<string, number[]> = {
      out: await readAll([aux.ys]),
      hT: await readAll(torchStateOrder(aux.states, 'h')),
      ...(isLstm ? { cT: await readAll(torchStateOrder(aux.states, 'c')) } : {}),
      x: await readAll([grads.x]),
      h0: await readAll(grads.h0),
      ...(isLstm ? { c0: await readAll(grads.c0!) } : {}),
    };
    for (const name of Object.keys(c.params)) out[name] = await readAll([torchRnnParam(grads.params, name)]);
    expect([...aux.ys.shape], 'out shape').toEqual(c.out.shape);
    expect(aux.ys.dtype).toBe(dtype);
    return out;
  } finally {
    treeDispose([value, grads, aux.ys, aux.states, inputs, weights]);
  }
}

/** The fixture's expected values under the same names (out, hT, cT, then gradients). */
function fixtureValues(c: RnnSequenceFixture): Record<string, number[]> {
  const want: Record<string, number[]> = { out: c.out.data, hT: c.hT.data, ...(c.cT ? { cT: c.cT.data } : {}) };
  for (const [name, g] of Object.entries(c.grads)) want[name] = g.data;
  return want;
}

const resultName = (k: string): string => (['out', 'hT', 'cT'].includes(k) ? k : `d/d${k}`);
const compare = (got: Record<string, number[]>, want: Record<string, number[]>, label: string): void => expectNamedClose(got, want, 'f32', label, resultName);

describe('the recurrent core on WebGPU matches PyTorch and the f64 reference (tools/fixtures/rnn.py, f32)', () => {
  let gpu: WebGpuBackend | null = null;
  const cpu = createCpuBackend();
  let fusedCalls = () => 0;
  beforeAll(async () => {
    gpu = await gpuBackend();
    if (gpu) {
      const spies = (['rnnSequence', 'lstmSequence', 'gruSequence'] as const).map((k) => vi.spyOn(gpu!.fused!, k));
      fusedCalls = () => spies.reduce((n, s) => n + s.mock.calls.length, 0);
    }
  });
  afterAll(() => gpu?.destroy());
  const need = (ctx: TestContext): WebGpuBackend => gpu ?? ctx.skip('no WebGPU adapter here');

  it('has every f32 case: every cell, both GRU modes, variable lengths, stacks, bidirectional, truncated BPTT', () => {
    const names = new Set(cases.map((c) => c.name));
    for (const n of RNN_FIXTURE_NAMES) expect(names).toContain(n);
  });

  const table = sequenceCases.flatMap((c) => rnnFixtureRuns(c).map(([entry, path]) => [`${c.name} (${entry}, ${path})`, c, entry, path] as const));

  it.for(table)('%s: outputs, final states and every gradient', async ([, c, entry, path], ctx) => {
    const be = need(ctx);
    const before = be.stats().liveHandles;
    const callsBefore = fusedCalls();
    const got = await runSequenceCase(be, 'f32', c, entry, path);
    const fusable = path === 'default' && makeCell(c, c.I, 'f32').sequenceKernel !== undefined;
    expect(fusedCalls() > callsBefore, 'WebGPU fused kernel used').toBe(fusable);
    expect(be.stats().liveHandles, 'live handles on WebGPU').toBe(before);
    const ref = await runSequenceCase(cpu, 'f64', c, entry, path);
    compare(got, ref, 'vs the CPU backend in f64');
    compare(got, fixtureValues(c), 'vs PyTorch f32');
  });

  const tbpttTable = tbpttCases.flatMap((c) => (['composite', 'default'] as const).map((path) => [`${c.name} (${path})`, c, path] as const));

  it.for(tbpttTable)('%s: every window, carrying the final state', async ([, c, path], ctx) => {
    const be = need(ctx);
    const run = async (b: Backend, dtype: FloatDType) => {
      const before = b.stats().liveHandles;
      const { I, T } = c;
      const cell = makeCell(c, I, dtype);
      const params = torchRnnParams(b, c, dtype).layers[0]!.forward;
      let state = { h: fixtureTensor(b, fixtureRow(c.h0, 0), dtype), c: fixtureTensor(b, fixtureRow(c.c0!, 0), dtype) };
      const windows: Record<string, number[]>[] = [];
      try {
        for (const win of c.windows) {
          const steps = Math.min(c.window, T - win.start);
          const xw = fixtureTensor(b, fixtureRows(c.x, win.start, win.start + steps), dtype);
          const wOut = fixtureTensor(b, win.wOut, dtype);
          type WindowInputs = { params: Record<string, Tensor>; x: Tensor; h0: Tensor; c0: Tensor };
          const { value, grads, aux } = valueAndGradWithAux((d: WindowInputs) => {
            const res = scan(cell, d.params as ParamTree, d.x, { ...RNN_FIXTURE_PATH_OPTIONS[path], initialState: { h: d.h0, c: d.c0 } });
            return [sum(mul(res.ys, wOut)), res] as const;
          })({ params, x: xw, h0: state.h, c0: state.c });
          try {
            const got: Record<string, number[]> = {
              out: await readAll([aux.ys]), hT: await readAll([aux.state['h']!]), cT: await readAll([aux.state['c']!]),
              x: await readAll([grads.x]), h0: await readAll([grads.h0]), c0: await readAll([grads.c0]),
            };
            for (const name of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) got[`${name}_l0`] = await readAll([grads.params[name]!]);
            windows.push(got);
          } finally {
            treeDispose([value, grads, aux.ys, xw, wOut, state]);
            state = { h: aux.state['h']!, c: aux.state['c']! };
          }
        }
        return { windows, hT: await readAll([state.h]), cT: await readAll([state.c]) };
      } finally {
        treeDispose([params, state]);
        expect(b.stats().liveHandles, `live handles on ${b.name}`).toBe(before);
      }
    };
    const got = await run(be, 'f32');
    const ref = await run(cpu, 'f64');
    got.windows.forEach((w, i) => {
      const win = c.windows[i]!;
      compare(w, ref.windows[i]!, `window ${i} vs the CPU backend in f64`);
      const torch: Record<string, number[]> = { out: win.out.data, hT: win.hT.data, cT: win.cT.data };
      for (const [k, g] of Object.entries(win.grads)) torch[k] = g.data;
      compare(w, torch, `window ${i} vs PyTorch f32`);
    });
    expectClose(got.hT, ref.hT, 'f32', 'carried hT vs f64');
    expectClose(got.cT, ref.cT, 'f32', 'carried cT vs f64');
    expectClose(got.hT, c.hT.data, 'f32', 'carried hT vs PyTorch');
    expectClose(got.cT, c.cT.data, 'f32', 'carried cT vs PyTorch');
  });
});

// ---------------------------------------------------------------- scan on WebGPU vs scan on the CPU backend (f64)

type CellKind = { kind: 'rnn'; activation: 'tanh' | 'relu' } | { kind: 'lstm' } | { kind: 'gru'; resetAfter: boolean };
const KINDS: CellKind[] = [
  { kind: 'rnn', activation: 'tanh' }, { kind: 'rnn', activation: 'relu' }, { kind: 'lstm' },
  { kind: 'gru', resetAfter: true }, { kind: 'gru', resetAfter: false },
];
const kindName = (k: CellKind): string => (k.kind === 'rnn' ? `rnn ${k.activation}` : k.kind === 'gru' ? `gru ${k.resetAfter ? 'reset-after' : 'reset-before'}` : 'lstm');

function cellOf(k: CellKind, I: number, H: number, dtype: FloatDType): Cell {
  const common = { inputSize: I, hiddenSize: H, dtype };
  if (k.kind === 'rnn') return rnn({ ...common, activation: k.activation });
  if (k.kind === 'lstm') return lstm(common);
  return gru({ ...common, resetAfter: k.resetAfter });
}

const SCANS: { name: string; options: ScanOptions }[] = [
  { name: 'variable lengths', options: { lengths: [7, 3, 5, 1, 7] } },
  { name: 'variable lengths, reverse', options: { lengths: [2, 7, 4, 6, 1], reverse: true } },
  { name: 'variable lengths, packed', options: { lengths: [3, 7, 1, 5, 6], packed: true } },
  { name: 'variable lengths, composite', options: { fused: false, lengths: [7, 6, 5, 4, 3] } },
];

describe('scan on WebGPU (f32) matches scan on the CPU backend (f64) for every cell, with variable lengths', () => {
  let gpu: WebGpuBackend | null = null;
  const ref = createCpuBackend();
  beforeAll(async () => {
    gpu = await gpuBackend();
  });
  afterAll(() => gpu?.destroy());
  const [T, B, I, H] = [7, 5, 6, 12];
  for (const k of KINDS) {
    it.for(SCANS)(`${kindName(k)}: $name (outputs, final state, every gradient)`, async ({ options }, ctx) => {
      const be = gpu ?? ctx.skip('no WebGPU adapter here');
      const before = be.stats().liveHandles;
      const isLstm = k.kind === 'lstm';
      // Parameters drawn once, rounded to f32, then the same numbers on both backends.
      const master = cellOf(k, I, H, 'f64').init(createRng(3), ref);
      const f32 = (a: ArrayLike<number>) => Array.from(Float32Array.from(a));
      const rng = createRng(9);
      const host = {
        params: treeMap(master, (t) => f32(t.readSync())) as Record<string, number[]>,
        shapes: treeMap(master, (t) => [...t.shape]) as Record<string, number[]>,
        x: f32(rng.normalArray(T * B * I)),
        wOut: f32(rng.normalArray(T * B * H)),
        wH: f32(rng.normalArray(B * H)),
      };
      treeDispose(master);
      const runOn = async (b: Backend, dtype: FloatDType) => {
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
        try {
          const out: Record<string, number[]> = {
            ys: await readAll([aux.ys]), hT: await readAll([aux.state['h']!]),
            ...(isLstm ? { cT: await readAll([aux.state['c']!]) } : {}),
            x: await readAll([grads.x]),
          };
          for (const [n, g] of Object.entries(grads.params)) out[n] = await readAll([g]);
          return out;
        } finally {
          treeDispose([value, grads, aux.ys, aux.state, params, x, wOut, wH]);
        }
      };
      const expected = await runOn(ref, 'f64');
      const actual = await runOn(be, 'f32');
      compare(actual, expected, 'vs the CPU backend in f64');
      expect(be.stats().liveHandles).toBe(before);
    });
  }
});
