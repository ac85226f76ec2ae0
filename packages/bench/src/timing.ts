// The timing protocol of BENCHMARKS.md: 2 warm-up batches, then time batches until at least 3 are
// timed and 60 s have passed, at most 10; medians (with min and max) of the timed batches.

export interface TimingConfig {
  /** Untimed batches first. */
  readonly warmups: number;
  /** Timed batches at least. */
  readonly minRuns: number;
  /** Timed batches at most. */
  readonly maxRuns: number;
  /** Keep timing until this many seconds of timed batches have passed (and minRuns are done). */
  readonly minSeconds: number;
  /**
   * A cap on the whole row (warm-ups included), in seconds: once passed, timing stops after the
   * current batch even below minRuns (at least one batch is always timed). Infinity: no cap.
   */
  readonly maxSeconds: number;
}

/** BENCHMARKS.md's protocol, for published numbers. */
export const FULL_TIMING: TimingConfig = { warmups: 2, minRuns: 3, maxRuns: 10, minSeconds: 60, maxSeconds: Infinity };

/** Smoke runs only (`--quick`): never for a published table. */
export const QUICK_TIMING: TimingConfig = { warmups: 1, minRuns: 2, maxRuns: 3, minSeconds: 0, maxSeconds: Infinity };

export interface TimingResult {
  /** Seconds per timed batch, in order. */
  readonly seconds: readonly number[];
  readonly warmups: number;
  /** True when maxSeconds stopped the row before minRuns or minSeconds were reached. */
  readonly capped: boolean;
}

export type Phase = 'warmup' | 'timed';

export interface TimingHooks {
  /** Called before each batch. */
  readonly onBatch?: (phase: Phase, index: number, elapsedTimedSeconds: number) => void;
  /** Called once between the warm-ups and the first timed batch (e.g. to reset a peak-memory counter). */
  readonly afterWarmup?: () => void | Promise<void>;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

/** Runs `batch` by the protocol; each call must finish its work, including the read-back to the host. */
export async function timeBatches(batch: () => Promise<void>, config: TimingConfig, hooks: TimingHooks = {}): Promise<TimingResult> {
  const start = now();
  const over = () => now() - start > config.maxSeconds;
  let warmups = 0;
  for (let i = 0; i < config.warmups; i++) {
    if (i > 0 && over()) break;
    hooks.onBatch?.('warmup', i, 0);
    await batch();
    warmups++;
  }
  await hooks.afterWarmup?.();
  const seconds: number[] = [];
  let timed = 0;
  let capped = false;
  for (;;) {
    const enough = seconds.length >= config.minRuns && timed >= config.minSeconds;
    if (enough || seconds.length >= config.maxRuns) break;
    if (seconds.length > 0 && over()) {
      capped = true;
      break;
    }
    hooks.onBatch?.('timed', seconds.length, timed);
    const t0 = now();
    await batch();
    const dt = now() - t0;
    seconds.push(dt);
    timed += dt;
  }
  return { seconds, warmups, capped };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
