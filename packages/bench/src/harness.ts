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
  const count = runner.dispatchCount?.bind(runner);
  // WebGPU: dispatches per time step first (two short untimed runs), so the timed rows stay bare.
  const perStep = count ? await stepDispatches(runner, count, w, mode, (s) => options.progress?.update(`${label}: ${s}`)) : null;
  const prepared = await runner.prepare(w, mode);
  try {
    let timedFrom = 0;
    const timing = await timeBatches(() => prepared.batch(), options.timing, {
      onBatch: (phase, i, elapsed) => options.progress?.update(`${label}: ${phase} ${i + 1}${phase === 'timed' ? ` (${elapsed.toFixed(0)} s)` : ''}`),
      afterWarmup: async () => {
        await prepared.afterWarmup?.();
        timedFrom = count?.() ?? 0;
      },
    });
    const dispatches = count ? { perBatch: (count() - timedFrom) / timing.seconds.length, perStep } : undefined;
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
      ...(dispatches ? { dispatches } : {}),
    });
    emit(line, options.sink ?? stdoutSink);
    return line;
  } finally {
    await prepared.dispose();
  }
}

/** The two sequence lengths whose difference in dispatches per batch gives dispatches per step. */
export const DISPATCH_T: readonly [number, number] = [5, 15];

/**
 * Dispatches per time step: one batch of the workload at T = 5 and at T = 15 (each after one untimed
 * batch, which compiles pipelines and creates optimiser state), difference ÷ 10. Per-batch work that
 * does not grow with T (uploads, the head's matmul over all steps, Adam, the loss read-back) cancels.
 */
export async function stepDispatches(runner: SystemRunner, count: () => number, w: Workload, mode: Mode, onPhase?: (s: string) => void): Promise<number | null> {
  const perBatch: number[] = [];
  for (const T of DISPATCH_T) {
    onPhase?.(`counting dispatches at T=${T}`);
    const p = await runner.prepare({ ...w, T }, mode);
    try {
      await p.batch();
      const before = count();
      await p.batch();
      perBatch.push(count() - before);
    } finally {
      await p.dispose();
    }
  }
  const perStep = (perBatch[1]! - perBatch[0]!) / (DISPATCH_T[1] - DISPATCH_T[0]);
  note(`\n${runner.system}/${runner.backend} ${w.id} ${mode}: ${perBatch[0]} dispatches per batch at T=${DISPATCH_T[0]}, ${perBatch[1]} at T=${DISPATCH_T[1]}: ${perStep} per step`);
  return Number.isFinite(perStep) ? perStep : null;
}
