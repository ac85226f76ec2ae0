import { allocate, fail, type Rng } from '@rnnkit/tensor';
import { hostTensor, type HostTensor } from './host-tensor.js';
import { positiveInt } from './internal/checks.js';
import { rngOf } from './internal/rng-of.js';

/** Options of `slidingWindows`. */
export interface SlidingWindowOptions {
  /** T, the input steps per window. */
  readonly window: number;
  /** F, the features per row of the series (default 1: a plain list of numbers). */
  readonly numFeatures?: number;
  /** Steps ahead to predict (default 1). */
  readonly horizon?: number;
  /** Steps between the starts of consecutive windows (default 1). */
  readonly stride?: number;
  /** The feature columns to predict (default all F). */
  readonly targetColumns?: readonly number[];
  /**
   * 'last' (default): one target per window, the `horizon` rows after it, [B, horizon·Ft]
   * (row h, column f at h·Ft + f), what a linear head on the last hidden state predicts.
   * 'sequence': a target at every step, the row `horizon` steps later, [T, B, Ft].
   */
  readonly mode?: 'last' | 'sequence';
  /** Element type of inputs and targets (default 'f32'). */
  readonly dtype?: 'f32' | 'f64';
}

/** A batch of windows, on the host. */
export interface WindowBatch {
  /** [T, B, F], time-major as `scan` takes it. */
  readonly inputs: HostTensor<'f32' | 'f64'>;
  /** [B, horizon·Ft] in mode 'last', [T, B, Ft] in mode 'sequence'. */
  readonly targets: HostTensor<'f32' | 'f64'>;
  /** The first row of each window in the series, [B]. */
  readonly starts: Int32Array;
}

/** Options of `SlidingWindows.batches`. */
export interface WindowBatchOptions {
  readonly batchSize: number;
  /** Shuffle the windows from this seed or Rng (default: in order). */
  readonly shuffle?: number | Rng;
  /** Leave out a last batch smaller than `batchSize` (default false). */
  readonly dropLast?: boolean;
}

/**
 * The windows of a time series (see `slidingWindows`): `count` of them, read in batches.
 */
export class SlidingWindows {
  readonly window: number;
  readonly numFeatures: number;
  readonly horizon: number;
  readonly stride: number;
  readonly targetColumns: readonly number[];
  readonly mode: 'last' | 'sequence';
  readonly dtype: 'f32' | 'f64';
  /** Rows in the series. */
  readonly rows: number;
  /** Number of windows. */
  readonly count: number;
  readonly #series: Float64Array;

  /** Use `slidingWindows(series, options)`. */
  constructor(series: ArrayLike<number>, options: SlidingWindowOptions) {
    const op = 'slidingWindows';
    this.window = positiveInt(op, 'window', options.window);
    this.numFeatures = positiveInt(op, 'numFeatures', options.numFeatures ?? 1);
    this.horizon = positiveInt(op, 'horizon', options.horizon ?? 1);
    this.stride = positiveInt(op, 'stride', options.stride ?? 1);
    this.mode = options.mode ?? 'last';
    if (this.mode !== 'last' && this.mode !== 'sequence') fail(`${op}: mode must be 'last' or 'sequence', got ${JSON.stringify(this.mode)}.`);
    this.dtype = options.dtype ?? 'f32';
    if (this.dtype !== 'f32' && this.dtype !== 'f64') fail(`${op}: dtype must be 'f32' or 'f64', got ${JSON.stringify(this.dtype)}.`);
    const F = this.numFeatures;
    this.targetColumns = [...(options.targetColumns ?? Array.from({ length: F }, (_, i) => i))];
    for (const c of this.targetColumns) if (!Number.isInteger(c) || c < 0 || c >= F) fail(`${op}: target column ${String(c)} is outside [0, ${F}).`);
    if (this.targetColumns.length === 0) fail(`${op}: targetColumns is empty; name at least one column to predict.`);
    if (series.length % F !== 0) fail(`${op}: the series has ${series.length} values, not a whole number of rows of ${F} features.`);
    this.#series = Float64Array.from(series);
    this.rows = series.length / F;
    const span = this.window + this.horizon;
    if (this.rows < span)
      fail(`${op}: the series has ${this.rows} rows, too few for one window of ${this.window} steps and a horizon of ${this.horizon} (${span} rows); use a shorter window.`);
    this.count = Math.floor((this.rows - span) / this.stride) + 1;
  }

  /** The windows with these numbers (0 … count − 1), as one batch. */
  batch(indices: ArrayLike<number>): WindowBatch {
    const B = indices.length;
    if (B === 0) fail('SlidingWindows.batch: no windows requested; pass at least one index.');
    const { window: T, numFeatures: F, horizon: Hz, targetColumns: cols, dtype } = this;
    const Ft = cols.length;
    const s = this.#series;
    const inputs = allocate(dtype, T * B * F);
    const targets = allocate(dtype, this.mode === 'last' ? B * Hz * Ft : T * B * Ft);
    const starts = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const w = indices[b]!;
      if (!Number.isInteger(w) || w < 0 || w >= this.count) fail(`SlidingWindows.batch: window ${String(w)} is outside [0, ${this.count}).`);
      const start = w * this.stride;
      starts[b] = start;
      for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) inputs[(t * B + b) * F + f] = s[(start + t) * F + f]!;
      if (this.mode === 'last') {
        for (let h = 0; h < Hz; h++) for (let j = 0; j < Ft; j++) targets[(b * Hz + h) * Ft + j] = s[(start + T + h) * F + cols[j]!]!;
      } else {
        for (let t = 0; t < T; t++) for (let j = 0; j < Ft; j++) targets[(t * B + b) * Ft + j] = s[(start + t + Hz) * F + cols[j]!]!;
      }
    }
    return {
      inputs: hostTensor(inputs, [T, B, F]),
      targets: hostTensor(targets, this.mode === 'last' ? [B, Hz * Ft] : [T, B, Ft]),
      starts,
    };
  }

  /** Every window in batches of `batchSize`, in order or shuffled from a seed. */
  batches(options: WindowBatchOptions): WindowBatch[] {
    const B = positiveInt('SlidingWindows.batches', 'batchSize', options.batchSize);
    const order = options.shuffle === undefined ? Int32Array.from({ length: this.count }, (_, i) => i) : rngOf('SlidingWindows.batches', options.shuffle).permutation(this.count);
    const out: WindowBatch[] = [];
    for (let i = 0; i < order.length; i += B) {
      const idx = order.subarray(i, i + B);
      if (idx.length < B && options.dropLast) break;
      out.push(this.batch(idx));
    }
    return out;
  }
}

/**
 * Sliding windows over a time series for forecasting: inputs of T consecutive rows [T, B, F] and
 * targets `horizon` rows ahead. The series is row-major [N, F] (e.g. `parseCsv(...).values`).
 *
 * @example
 * const table = parseCsv(text, { columns: ['temp', 'load'] });
 * const ds = slidingWindows(table.values, { numFeatures: 2, window: 48, targetColumns: [1] });
 * for (const { inputs, targets } of ds.batches({ batchSize: 16, shuffle: 0 })) {
 *   // inputs: [48, 16, 2]; targets: [16, 1], the 'load' of the row after each window
 * }
 */
export function slidingWindows(series: ArrayLike<number>, options: SlidingWindowOptions): SlidingWindows {
  return new SlidingWindows(series, options);
}
