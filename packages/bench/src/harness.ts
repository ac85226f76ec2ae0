// Runs one row (system × workload × mode) by the timing protocol and emits its JSON line.
import { type Progress, emit, note, resultLine, stdoutSink, type ResultLine, type Sink } from './report.js';
import type { SystemRunner } from './system.js';
import { timeBatches, type TimingConfig } from './timing.js';
import { flopsPerBatch, tokensPerBatch, type Mode, type Workload } from './workloads.js';

export interface RowOptions {
  readonly timing: TimingConfig;
  readonly sink?: Sink;
  readonly progress?: Progress;
}

/** Runs one row; returns its line (also emitted), or null when the system skips the workload. */
export async function runRow(runner: SystemRunner, w: Workload, mode: Mode, options: RowOptions): Promise<ResultLine | null> {
  const label = `${runner.system}/${runner.backend} ${w.id} ${mode}`;
  const reason = runner.skip(w, mode);
  if (reason) {
    note(`skip ${label}: ${reason}`);
    return null;
  }
  const prepared = await runner.prepare(w, mode);
  try {
    const timing = await timeBatches(() => prepared.batch(), options.timing, {
      onBatch: (phase, i, elapsed) => options.progress?.update(`${label}: ${phase} ${i + 1}${phase === 'timed' ? ` (${elapsed.toFixed(0)} s)` : ''}`),
      afterWarmup: () => prepared.afterWarmup?.(),
    });
    if (timing.capped) note(`${label}: --max-seconds reached after ${timing.seconds.length} timed batches`);
    const line = resultLine({
      system: runner.system,
      backend: runner.backend,
      version: runner.version,
      workload: w.id,
      mode,
      threads: runner.threads,
      adapter: runner.adapter,
      seconds: timing.seconds,
      tokensPerBatch: tokensPerBatch(w),
      flopsPerBatch: flopsPerBatch(w, mode),
      peakBytes: prepared.peakBytes(),
    });
    emit(line, options.sink ?? stdoutSink);
    return line;
  } finally {
    await prepared.dispose();
  }
}
