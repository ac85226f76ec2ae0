// The PyTorch recurrent fixtures (packages/bptt/test/fixtures/rnn.json, made by
// `python3 tools/fixtures/rnn.py`): their schema, and their inputs, parameters and loss as tensors.
// Building the cell and running scan / recurrent is left to the test (this package imports
// neither @rnnkit/cells nor @rnnkit/bptt).
import { add, mul, sum, type Backend, type CellState, type DType, type Tensor } from '@rnnkit/tensor';
import { expectFixtureClose, fixtureRow, fixtureTensor, loadFixtureFile, type FixtureArray } from './fixtures.js';

/** The cell options of a case. */
export interface RnnFixtureCell {
  readonly activation?: 'tanh' | 'relu';
  readonly projSize?: number;
  readonly resetAfter?: boolean;
}

/** What every case holds. */
export interface RnnFixtureBase {
  readonly name: string;
  readonly dtype: 'f32' | 'f64';
  readonly cell: RnnFixtureCell;
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  /** PyTorch names: weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, weight_hr_l{k}. */
  readonly params: Record<string, FixtureArray>;
  readonly x: FixtureArray;
  /** [layers·directions, B, ·], PyTorch's layout. */
  readonly h0: FixtureArray;
  readonly c0?: FixtureArray;
}

/**
 * A whole-sequence case: outputs, final states and the gradients (by PyTorch parameter name, and
 * 'x', 'h0', 'c0') of L = Σ out·wOut + Σ hT·wH (+ Σ cT·wC).
 */
export interface RnnSequenceFixture extends RnnFixtureBase {
  readonly kind: 'rnn' | 'lstm' | 'gru';
  readonly lengths?: number[];
  readonly wOut: FixtureArray;
  readonly wH: FixtureArray;
  readonly wC?: FixtureArray;
  readonly out: FixtureArray;
  readonly hT: FixtureArray;
  readonly cT?: FixtureArray;
  readonly grads: Record<string, FixtureArray>;
}

/** One window of a truncated-BPTT case (L = Σ out·wOut over the window). */
export interface RnnWindowFixture {
  readonly start: number;
  readonly wOut: FixtureArray;
  readonly out: FixtureArray;
  readonly hT: FixtureArray;
  readonly cT: FixtureArray;
  readonly grads: Record<string, FixtureArray>;
}

/** A truncated-BPTT case (an LSTM), its windows carrying the final state forward. */
export interface RnnTbpttFixture extends RnnFixtureBase {
  readonly kind: 'tbptt';
  readonly window: number;
  readonly windows: RnnWindowFixture[];
  readonly hT: FixtureArray;
  readonly cT: FixtureArray;
}

export type RnnFixtureCase = RnnSequenceFixture | RnnTbpttFixture;

/** The names of the cases the fixture file holds, each in f64 and in f32. */
export const RNN_FIXTURE_NAMES: readonly string[] = [
  'rnn tanh', 'rnn relu', 'lstm', 'lstm projSize 2', 'gru reset-after', 'gru reset-before', 'lstm 2 layers', 'gru bidirectional concat',
  'lstm packed unsorted lengths', 'gru packed unsorted lengths', 'rnn tanh packed unsorted lengths', 'lstm bidirectional packed unsorted lengths',
  'lstm 200 steps', 'lstm truncated bptt T 12 k 4',
];

/** Every case of an rnn.json fixture file; a missing or empty file throws (see `loadFixtureFile`). */
export function loadRnnFixtures(url: URL): RnnFixtureCase[] {
  return loadFixtureFile<RnnFixtureCase>(url, { label: 'rnn fixtures', generator: 'python3 tools/fixtures/rnn.py' });
}

/**
 * Parameters in the layout of `recurrent` (@rnnkit/bptt): per layer, forward and, if bidirectional, reverse.
 * (Object types, not interfaces, so they are `ParamTree`s and can be differentiated.)
 */
export type TorchRnnParams = {
  layers: { forward: Record<string, Tensor>; reverse?: Record<string, Tensor> }[];
};

const PARAM_NAME = /^(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?$/;

function parseParamName(name: string, caseName?: string): { key: string; layer: number; reverse: boolean } {
  const m = PARAM_NAME.exec(name);
  if (!m) throw new Error(`rnn fixtures: unexpected parameter name '${name}'${caseName === undefined ? '' : ` in '${caseName}'`}.`);
  return { key: m[1]!, layer: Number(m[2]), reverse: m[3] !== undefined };
}

/** A case's parameters (PyTorch's flat names) as tensors on `backend` in `dtype`, in the layout of `recurrent`. */
export function torchRnnParams(backend: Backend, c: RnnFixtureBase, dtype: DType): TorchRnnParams {
  const layers: TorchRnnParams['layers'] = Array.from({ length: c.numLayers }, () => (c.bidirectional ? { forward: {}, reverse: {} } : { forward: {} }));
  for (const [name, a] of Object.entries(c.params)) {
    const p = parseParamName(name, c.name);
    const layer = layers[p.layer]!;
    (p.reverse ? layer.reverse! : layer.forward)[p.key] = fixtureTensor(backend, a, dtype);
  }
  return { layers };
}

/** The entry of `params` (or of its gradients) that PyTorch calls `name`. */
export function torchRnnParam(params: TorchRnnParams, name: string): Tensor {
  const p = parseParamName(name);
  const layer = params.layers[p.layer]!;
  return (p.reverse ? layer.reverse! : layer.forward)[p.key]!;
}

/** Per-layer states (each `{ forward, reverse? }`), ordered as PyTorch stacks them: entry k = layer·D + direction. */
export function torchStateOrder(states: readonly { readonly forward: CellState; readonly reverse?: CellState }[], key: 'h' | 'c'): Tensor[] {
  return states.flatMap((s) => [s.forward[key]!, ...(s.reverse ? [s.reverse[key]!] : [])]);
}

/** The differentiable inputs of a sequence case: h0 / c0 as one [B, ·] tensor per (layer, direction). */
export type RnnFixtureInputs = {
  params: TorchRnnParams;
  x: Tensor;
  h0: Tensor[];
  c0?: Tensor[];
};

/**
 * Compares one run of a sequence case with PyTorch's: outputs, final states (PyTorch's layer/direction
 * order), and the gradients of every parameter, of x, h0 and (LSTM) c0.
 */
export function expectRnnFixtureMatch(
  c: RnnSequenceFixture,
  run: { readonly ys: Tensor; readonly states: readonly { readonly forward: CellState; readonly reverse?: CellState }[] },
  grads: RnnFixtureInputs,
  dtype: DType,
): void {
  const isLstm = c.kind === 'lstm';
  expectFixtureClose('out', run.ys, c.out, dtype);
  expectFixtureClose('hT', torchStateOrder(run.states, 'h'), c.hT, dtype);
  if (isLstm) expectFixtureClose('cT', torchStateOrder(run.states, 'c'), c.cT!, dtype);
  for (const name of Object.keys(c.params)) expectFixtureClose(`d/d${name}`, torchRnnParam(grads.params, name), c.grads[name]!, dtype);
  expectFixtureClose('d/dx', grads.x, c.grads['x']!, dtype);
  expectFixtureClose('d/dh0', grads.h0, c.grads['h0']!, dtype);
  if (isLstm) expectFixtureClose('d/dc0', grads.c0!, c.grads['c0']!, dtype);
}

/** The loss weights of a sequence case, wH / wC split like the states (empty wC unless LSTM). */
export type RnnFixtureWeights = {
  wOut: Tensor;
  wH: Tensor[];
  wC: Tensor[];
};

/** A sequence case's inputs and loss weights as new tensors on `backend` in `dtype` (the caller disposes them). */
export function rnnFixtureInputs(backend: Backend, c: RnnSequenceFixture, dtype: DType): { inputs: RnnFixtureInputs; weights: RnnFixtureWeights } {
  const isLstm = c.kind === 'lstm';
  const ks = Array.from({ length: c.numLayers * (c.bidirectional ? 2 : 1) }, (_, k) => k);
  const up = (a: FixtureArray): Tensor => fixtureTensor(backend, a, dtype);
  const inputs: RnnFixtureInputs = {
    params: torchRnnParams(backend, c, dtype),
    x: up(c.x),
    h0: ks.map((k) => up(fixtureRow(c.h0, k))),
    ...(isLstm ? { c0: ks.map((k) => up(fixtureRow(c.c0!, k))) } : {}),
  };
  const wOut = up(c.wOut);
  const wH = ks.map((k) => up(fixtureRow(c.wH, k)));
  const wC = isLstm ? ks.map((k) => up(fixtureRow(c.wC!, k))) : [];
  return { inputs, weights: { wOut, wH, wC } };
}

/** L = Σ ys·wOut + Σ_k hs[k]·wH[k] + Σ_k cs[k]·wC[k], with hs / cs in PyTorch's order (`torchStateOrder`). */
export function rnnFixtureLoss(weights: RnnFixtureWeights, ys: Tensor, hs: readonly Tensor[], cs: readonly Tensor[] = []): Tensor {
  let loss = sum(mul(ys, weights.wOut));
  hs.forEach((h, k) => (loss = add(loss, sum(mul(h, weights.wH[k]!)))));
  cs.forEach((s, k) => (loss = add(loss, sum(mul(s, weights.wC[k]!)))));
  return loss;
}

/** How a sequence case is run: through `scan` or `recurrent`, on the composite, default or packed path. */
export type RnnFixtureEntry = 'scan' | 'recurrent';
export type RnnFixturePath = 'composite' | 'default' | 'packed';

/** Scan options of each path. */
export const RNN_FIXTURE_PATH_OPTIONS: Readonly<Record<RnnFixturePath, { readonly fused?: boolean; readonly packed?: boolean }>> = {
  composite: { fused: false },
  default: {},
  packed: { packed: true },
};

/** The runs of a sequence case: `scan` only for one layer, one direction; `packed` only with lengths. */
export function rnnFixtureRuns(c: RnnSequenceFixture): [RnnFixtureEntry, RnnFixturePath][] {
  const entries: RnnFixtureEntry[] = c.numLayers === 1 && !c.bidirectional ? ['scan', 'recurrent'] : ['recurrent'];
  const paths: RnnFixturePath[] = c.lengths ? ['composite', 'default', 'packed'] : ['composite', 'default'];
  return entries.flatMap((e) => paths.map((p) => [e, p] as [RnnFixtureEntry, RnnFixturePath]));
}
