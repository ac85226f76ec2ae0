// Results: one JSON object per line on stdout and nothing else there; progress goes to stderr.
import { median } from './timing.js';

export type SystemName = 'rnnkit' | 'tfjs-cpu' | 'tfjs-wasm' | 'tfjs-webgpu' | 'brain.js' | 'pytorch';

/** The line format of BENCHMARKS.md; scaling rows add T, bptt (and us_per_token). */
export interface ResultLine {
  readonly system: SystemName;
  readonly backend: string;
  readonly version: string;
  readonly workload: string;
  readonly mode: 'train' | 'infer';
  readonly threads: number;
  readonly tokens_per_s: { readonly median: number; readonly min: number; readonly max: number };
  readonly gflops_median: number;
  readonly runs: number;
  readonly peak_bytes: number | null;
  readonly node: string;
  readonly adapter: string | null;
  readonly T?: number;
  readonly bptt?: 'full' | 'truncated' | 'checkpointed';
  readonly us_per_token?: number;
  /** WebGPU rows: compute dispatches per batch (mean over the timed batches). */
  readonly dispatches_per_batch?: number;
  /** WebGPU rows: dispatches per time step (a forward step in infer, a train step in train), from two sequence lengths. */
  readonly dispatches_per_step?: number | null;
}

export interface ResultInput {
  readonly system: SystemName;
  readonly backend: string;
  readonly version: string;
  readonly workload: string;
  readonly mode: 'train' | 'infer';
  readonly threads: number;
  readonly adapter: string | null;
  /** Seconds per timed batch. */
  readonly seconds: readonly number[];
  readonly tokensPerBatch: number;
  readonly flopsPerBatch: number;
  readonly peakBytes: number | null;
  readonly scaling?: { readonly T: number; readonly bptt: 'full' | 'truncated' | 'checkpointed' };
  readonly dispatches?: { readonly perBatch: number; readonly perStep: number | null };
}

const round = (x: number, digits: number): number => {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Builds a result line from timed batch durations (tokens/s = tokens per batch / median batch time). */
export function resultLine(r: ResultInput): ResultLine {
  if (r.seconds.length === 0) throw new Error(`resultLine(${r.system} ${r.workload} ${r.mode}): no timed batches.`);
  const med = median(r.seconds);
  const tps = (s: number) => round(r.tokensPerBatch / s, 1);
  const line: ResultLine = {
    system: r.system,
    backend: r.backend,
    version: r.version,
    workload: r.workload,
    mode: r.mode,
    threads: r.threads,
    // The slowest batch gives the minimum rate, the fastest the maximum.
    tokens_per_s: { median: tps(med), min: tps(Math.max(...r.seconds)), max: tps(Math.min(...r.seconds)) },
    // Significant digits, not decimals: tiny test workloads must not round to 0.
    gflops_median: Number((r.flopsPerBatch / med / 1e9).toPrecision(4)),
    runs: r.seconds.length,
    peak_bytes: r.peakBytes,
    node: process.version,
    adapter: r.adapter,
  };
  if (r.dispatches) return { ...line, dispatches_per_batch: round(r.dispatches.perBatch, 1), dispatches_per_step: r.dispatches.perStep === null ? null : round(r.dispatches.perStep, 2) };
  if (!r.scaling) return line;
  return { ...line, T: r.scaling.T, bptt: r.scaling.bptt, us_per_token: round((med / r.tokensPerBatch) * 1e6, 3) };
}

/** Where result lines go; stdout by default. */
export type Sink = (line: string) => void;
export const stdoutSink: Sink = (line) => {
  process.stdout.write(line + '\n');
};

export function emit(line: ResultLine, sink: Sink = stdoutSink): void {
  sink(JSON.stringify(line));
}

/** Progress and notes, on stderr only. */
export function note(message: string): void {
  process.stderr.write(message + '\n');
}

/** A one-line progress bar on stderr (redrawn in place on a terminal, one line per update otherwise). */
export class Progress {
  readonly #total: number;
  #done = 0;
  readonly #tty = Boolean(process.stderr.isTTY);
  readonly #started = Date.now();

  constructor(total: number) {
    this.#total = total;
  }

  /** Marks one row finished. */
  tick(): void {
    this.#done++;
  }

  update(label: string): void {
    const width = 24;
    const filled = Math.min(width, Math.max(0, Math.round((this.#done / Math.max(1, this.#total)) * width)));
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const mins = ((Date.now() - this.#started) / 60000).toFixed(1);
    const text = `[${bar}] ${this.#done}/${this.#total} ${mins} min  ${label}`;
    if (this.#tty) process.stderr.write(`\r\x1b[2K${text}`);
    else process.stderr.write(text + '\n');
  }

  end(): void {
    if (this.#tty) process.stderr.write('\n');
  }
}
