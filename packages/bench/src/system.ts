// What every benchmarked system provides to the runner.
import type { SystemName } from './report.js';
import type { Mode, Workload } from './workloads.js';

/** One workload and mode, set up and ready to run batches. */
export interface Prepared {
  /** One batch: infer = forward and head with the output read back; train = forward, loss, BPTT, Adam, loss read back. */
  batch(): Promise<void>;
  /** Called after the warm-ups (reset a peak counter). */
  afterWarmup?(): void | Promise<void>;
  /** Peak bytes held by the backend over the timed batches, or null where the system has no such counter. */
  peakBytes(): number | null;
  dispose(): void | Promise<void>;
}

export interface SystemRunner {
  readonly system: SystemName;
  /** The backend label of the JSON line ('cpu', 'wasm', 'webgpu', 'js', …). */
  readonly backend: string;
  readonly version: string;
  readonly threads: number;
  readonly adapter: string | null;
  /** A reason to skip the workload, or null to run it. */
  skip(w: Workload, mode: Mode): string | null;
  prepare(w: Workload, mode: Mode): Promise<Prepared>;
  /** WebGPU: compute dispatches so far (a monotonic counter); absent elsewhere. */
  dispatchCount?(): number;
  /** Frees what the system holds once all its rows are done. */
  close?(): void | Promise<void>;
}
