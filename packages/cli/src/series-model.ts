import { fail, narrow, reshape, type Backend, type Rng, type Tensor } from '@rnnkit/tensor';
import { gru, lstm, rnn, type GruParams, type LstmParams, type RnnParams } from '@rnnkit/cells';
import { recurrent, type RecurrentParams } from '@rnnkit/bptt';
import { linear, type LinearParams } from '@rnnkit/nn';
import type { CellKind } from './char-model.js';

/** A one-step-ahead forecaster of a multivariate series; saved in checkpoints. */
export interface SeriesModelConfig {
  readonly kind: 'series-forecast';
  readonly cell: CellKind;
  readonly hidden: number;
  readonly layers: number;
  /** Input steps per window. */
  readonly window: number;
  readonly columns: readonly string[];
  /** Per-column standardisation learnt from the training part of the series. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

type CellParams = LstmParams | GruParams | RnnParams;
export type SeriesParams = { readonly recurrent: RecurrentParams<CellParams>; readonly head: LinearParams };

export interface SeriesModel {
  readonly config: SeriesModelConfig;
  init(rng: Rng, backend: Backend): SeriesParams;
  /** xs: standardised [T, B, F] → the next row, standardised, [B, F]. */
  predict(params: SeriesParams, xs: Tensor): Tensor;
}

/** Recurrent stack over the window, a linear head on the last hidden state. */
export function seriesModel(config: SeriesModelConfig): SeriesModel {
  if (config.kind !== 'series-forecast') fail(`seriesModel: config kind is '${String(config.kind)}', expected 'series-forecast'.`);
  const F = config.columns.length;
  const stack = recurrent<CellParams, Record<string, Tensor>>({
    inputSize: F,
    numLayers: config.layers,
    cell: (inputSize) => {
      const opts = { inputSize, hiddenSize: config.hidden };
      return config.cell === 'lstm' ? lstm(opts) : config.cell === 'gru' ? gru(opts) : rnn(opts);
    },
  });
  const head = linear({ inputSize: config.hidden, outputSize: F });
  return {
    config,
    init: (rng, backend) => ({ recurrent: stack.init(rng, backend), head: head.init(rng, backend) }),
    predict(params, xs) {
      const { ys, states } = stack.run(params.recurrent, xs);
      for (const layer of states) for (const s of Object.values(layer)) for (const t of Object.values(s ?? {})) t.dispose();
      const T = xs.shape[0]!;
      const lastStep = narrow(ys, 0, T - 1, 1);
      const last = reshape(lastStep, [xs.shape[1]!, config.hidden]);
      const out = head.apply(params.head, last);
      for (const t of [ys, lastStep, last]) t.dispose();
      return out;
    },
  };
}

/** Column means and standard deviations of a row-major [rows, F] table (std floored at 1e-8). */
export function columnStats(values: Float64Array, rows: number, F: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(F).fill(0);
  const std = new Array<number>(F).fill(0);
  for (let r = 0; r < rows; r++) for (let f = 0; f < F; f++) mean[f]! += values[r * F + f]! / rows;
  for (let r = 0; r < rows; r++) for (let f = 0; f < F; f++) std[f]! += (values[r * F + f]! - mean[f]!) ** 2 / rows;
  return { mean, std: std.map((v) => Math.max(Math.sqrt(v), 1e-8)) };
}

export function standardise(values: Float64Array, F: number, mean: readonly number[], std: readonly number[]): Float64Array {
  return values.map((v, i) => (v - mean[i % F]!) / std[i % F]!);
}
