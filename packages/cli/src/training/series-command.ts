import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createRng, scope, tensor, type Backend } from '@rnnkit/tensor';
import { valueAndGrad } from '@rnnkit/autograd';
import { mse } from '@rnnkit/nn';
import { applyUpdates, disposeState } from '@rnnkit/optim';
import { parseCsv, slidingWindows, type WindowBatch } from '@rnnkit/data';
import { saveCheckpoint } from '@rnnkit/io';
import { choiceFlag, durationFlag, numberFlag } from '../args.js';
import { openBackend, threadsFlag, type BackendName } from '../backends.js';
import type { CellKind } from '../char-model.js';
import { CliError } from '../cli-error.js';
import { readTextFile } from '../corpus.js';
import { progressBar } from '../progress.js';
import { htmlReport } from '../report.js';
import { columnStats, seriesModel, standardise, type SeriesModel, type SeriesParams } from '../series-model.js';
import { emptyLog } from './loss-log.js';
import { makeOptimizer, OPTIMIZERS } from './optimizer.js';
import { writeAtomic } from '../commands/train.js';

export const SERIES_CHECKPOINT = 'checkpoint.safetensors';

/** Reads a numeric CSV; non-numeric cells are a one-line error naming line and column. */
export function readSeries(file: string): { columns: readonly string[]; values: Float64Array; rows: number } {
  const table = parseCsv(readTextFile(file), { source: file });
  if (table.rows < 8) throw new CliError(`${file} has ${table.rows} rows; a forecaster needs at least 8.`);
  return { columns: table.columns, values: table.values, rows: table.rows };
}

/** Uploads a window batch (standardised series) as [T, B, F] inputs and [B, F] targets. */
export function uploadWindows(backend: Backend, b: WindowBatch) {
  return {
    inputs: tensor(backend, b.inputs.data, b.inputs.shape, 'f32'),
    targets: tensor(backend, b.targets.data, b.targets.shape, 'f32'),
  };
}

/** `rnnkit train data.csv`: one-step-ahead forecaster of every column, trained on the first 80 %. */
export async function trainSeries(file: string, values: Record<string, string | boolean | undefined>): Promise<void> {
  const str = (k: string) => values[k] as string | undefined;
  const series = readSeries(file);
  const F = series.columns.length;
  const window = numberFlag('seq-len', str('seq-len'), 32, { integer: true, min: 2 });
  const trainRows = Math.floor(series.rows * 0.8);
  if (trainRows <= window + 1) throw new CliError(`${file}: ${series.rows} rows are too few for --seq-len ${window}; give a longer series or a smaller --seq-len.`);
  const stats = columnStats(series.values.subarray(0, trainRows * F), trainRows, F);
  const z = standardise(series.values, F, stats.mean, stats.std);
  const config = {
    kind: 'series-forecast' as const,
    cell: choiceFlag<CellKind>('cell', str('cell'), ['lstm', 'gru', 'rnn'], 'lstm'),
    hidden: numberFlag('hidden', str('hidden'), 32, { integer: true, min: 1 }),
    layers: numberFlag('layers', str('layers'), 1, { integer: true, min: 1 }),
    window, columns: series.columns, mean: stats.mean, std: stats.std,
  };
  const { backend, description } = await openBackend(choiceFlag<BackendName>('backend', str('backend'), ['wasm', 'cpu', 'webgpu'], 'wasm'), threadsFlag(str('threads')));
  const model = seriesModel(config);
  const seed = numberFlag('seed', str('seed'), 1, { integer: true, min: 0 });
  const rng = createRng(seed);
  let params = model.init(rng.fork('init'), backend);
  const optimizer = makeOptimizer(choiceFlag('optimizer', str('optimizer'), OPTIMIZERS, 'adam'), numberFlag('lr', str('lr'), 3e-3, { min: 0 }), numberFlag('clip', str('clip'), 1, { min: 0 }));
  let optState = optimizer.init(params);
  const windows = slidingWindows(z.subarray(0, trainRows * F), { window, numFeatures: F });
  const batch = numberFlag('batch', str('batch'), 32, { integer: true, min: 1 });
  const steps = numberFlag('steps', str('steps'), 600, { integer: true, min: 1 });
  const timeBox = durationFlag('time', str('time'));
  const deadline = timeBox !== undefined ? Date.now() + timeBox * 1000 : Number.POSITIVE_INFINITY;
  const outDir = resolve(str('out') ?? 'rnnkit-out');
  mkdirSync(outDir, { recursive: true });
  process.stderr.write(`rnnkit train: ${file}, ${series.rows} rows × ${F} column(s) (${series.columns.join(', ')}); ${config.cell} ${config.hidden}, windows of ${window}; backend ${description}\n`);
  const log = emptyLog('mean squared error (standardised)');
  const progress = progressBar('train', steps);
  const step = valueAndGrad((p: SeriesParams, b: ReturnType<typeof uploadWindows>) => mse(model.predict(p, b.inputs), b.targets));
  for (let s = 0; s < steps && Date.now() < deadline; ) {
    for (const b of windows.batches({ batchSize: batch, shuffle: rng.fork(`epoch/${s}`), dropLast: windows.count >= batch })) {
      if (s >= steps || Date.now() >= deadline) break;
      const up = uploadWindows(backend, b);
      const { value, grads } = step(params, up);
      const [updates, next] = optimizer.update(grads, optState, params);
      params = applyUpdates(params, updates, { donate: true });
      disposeState([optState, grads, up.inputs, up.targets]);
      optState = next;
      const loss = await value.item();
      value.dispose();
      s++;
      log.train.push({ step: s, loss, tokensPerSecond: 0 });
      progress.update(s, { step: String(s), loss: loss.toFixed(4) });
    }
  }
  progress.finish();
  const evaluation = await evaluateForecast(model, params, backend, z, series.rows, F, trainRows);
  log.validation.push({ step: log.train.length, loss: evaluation.model });
  await saveCheckpoint(join(outDir, SERIES_CHECKPOINT), { params, config: config, step: log.train.length });
  writeAtomic(join(outDir, 'report.html'), htmlReport('rnnkit train (time series)', log, [
    ['data', `${file}: ${series.rows} rows, columns ${series.columns.join(', ')}`],
    ['model', `${config.cell} ${config.layers} × ${config.hidden}, windows of ${window}`],
    ['held-out MSE (last 20 %)', `model ${evaluation.model.toPrecision(4)}, last value ${evaluation.lastValue.toPrecision(4)} (${evaluation.improvement.toFixed(1)} % better)`],
  ]));
  process.stderr.write(`held-out one-step MSE (standardised): model ${evaluation.model.toPrecision(4)}, last-value ${evaluation.lastValue.toPrecision(4)}: ${evaluation.improvement.toFixed(1)} % better\nwrote ${join(outDir, SERIES_CHECKPOINT)}, ${join(outDir, 'report.html')}\n`);
}

/**
 * One-step-ahead MSE on rows [from, rows) in standardised units, for the model and for the
 * last-value forecast (tomorrow equals today), and the model's improvement in percent.
 */
export async function evaluateForecast(model: SeriesModel, params: SeriesParams, backend: Backend, z: Float64Array, rows: number, F: number, from: number) {
  const W = model.config.window;
  const starts = Array.from({ length: rows - Math.max(from, W) }, (_, i) => Math.max(from, W) - W + i);
  if (starts.length === 0) throw new CliError(`the series has no rows left to evaluate after the first ${from}; give a longer series.`);
  const windows = slidingWindows(z.subarray(0, rows * F), { window: W, numFeatures: F });
  const b = windows.batch(starts);
  const pred = scope(() => {
    const up = uploadWindows(backend, b);
    return model.predict(params, up.inputs);
  });
  const p = await pred.read();
  pred.dispose();
  let m = 0;
  let last = 0;
  const targets = b.targets.data;
  const inputs = b.inputs.data; // [T, B, F]: the last input step is T−1
  const B = starts.length;
  for (let i = 0; i < B; i++)
    for (let f = 0; f < F; f++) {
      const y = targets[i * F + f]!;
      m += (p[i * F + f]! - y) ** 2;
      last += (inputs[((W - 1) * B + i) * F + f]! - y) ** 2;
    }
  m /= B * F;
  last /= B * F;
  return { model: m, lastValue: last, improvement: (1 - m / last) * 100 };
}
