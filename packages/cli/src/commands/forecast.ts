import { loadLatestCheckpoint } from '@rnnkit/io';
import { choiceFlag, numberFlag, parseFlags } from '../args.js';
import { openBackend, type BackendName } from '../backends.js';
import { CliError } from '../cli-error.js';
import { seriesModel, standardise, type SeriesModelConfig, type SeriesParams } from '../series-model.js';
import { evaluateForecast, readSeries } from '../training/series-command.js';
import { tensor } from '@rnnkit/tensor';

const HELP = `rnnkit forecast <checkpoint> <csv> — forecast a series with a model from rnnkit train <csv>

  --from F       evaluate one-step forecasts on the last fraction F of the rows (default 0.2)
  --ahead N      also print N future rows, each forecast fed back in (default 10)
  --backend NAME wasm|cpu|webgpu (default wasm)
`;

export async function forecastCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags('forecast', argv, { from: { type: 'string' }, ahead: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean' } });
  if (values.help) return void process.stdout.write(HELP);
  if (positionals.length !== 2) throw new CliError('rnnkit forecast: give a checkpoint and a CSV file (see rnnkit forecast --help)', 2);
  const [ckpt, csv] = positionals as [string, string];
  const { backend } = await openBackend(choiceFlag<BackendName>('backend', values.backend, ['wasm', 'cpu', 'webgpu'], 'wasm'));
  const { checkpoint } = await loadLatestCheckpoint(ckpt, backend, { expect: { kind: 'series-forecast' } });
  const config = checkpoint.config as unknown as SeriesModelConfig;
  const model = seriesModel(config);
  const params = checkpoint.params as SeriesParams;
  const series = readSeries(csv);
  const F = config.columns.length;
  if (series.columns.length !== F) throw new CliError(`${csv} has ${series.columns.length} column(s) but the model forecasts ${F} (${config.columns.join(', ')}).`);
  const z = standardise(series.values, F, config.mean, config.std);
  const fromFraction = numberFlag('from', values.from, 0.2, { min: 0.01, max: 0.99 });
  const from = Math.max(config.window, Math.floor(series.rows * (1 - fromFraction)));
  const e = await evaluateForecast(model, params, backend, z, series.rows, F, from);
  process.stdout.write(`one-step forecasts of rows ${from}..${series.rows - 1} (standardised MSE): model ${e.model.toPrecision(4)}, last value ${e.lastValue.toPrecision(4)}; the model is ${e.improvement.toFixed(1)} % better\n`);
  // Roll forward: each forecast becomes the newest input.
  const ahead = numberFlag('ahead', values.ahead, 10, { integer: true, min: 0 });
  const hist = Array.from(z.subarray((series.rows - config.window) * F));
  const future: number[][] = [];
  for (let k = 0; k < ahead; k++) {
    // The newest `window` rows, [T, F] row-major, are already [T, 1, F] time-major.
    const xs = tensor(backend, Float32Array.from(hist.slice(-config.window * F)), [config.window, 1, F], 'f32');
    const y = model.predict(params, xs);
    const next = Array.from(await y.read());
    xs.dispose();
    y.dispose();
    hist.push(...next);
    future.push(next.map((v, f) => v * config.std[f]! + config.mean[f]!));
  }
  if (ahead > 0) process.stdout.write(`next ${ahead} rows (${config.columns.join(', ')}):\n${future.map((r) => r.map((v) => v.toPrecision(5)).join(',')).join('\n')}\n`);
}
