import type { Backend, ParamTree, Probe, StateGradEvent, StepEvent, StepTap, Tensor } from '@rnnkit/tensor';

/**
 * What a training loop hands the probes after each step (all borrowed: probes copy or reduce what
 * they keep and never dispose these). Call `endStep` before the parameters are donated or freed.
 */
export interface StepContext {
  /** The training step just finished (0-based); set by the session. */
  readonly step: number;
  /** The loss of this step (a one-element tensor). */
  readonly loss?: Tensor;
  /** The parameters the forward ran with (before this step's update). */
  readonly params?: ParamTree;
  /** ∂L/∂params of this step, before clipping. */
  readonly grads?: ParamTree;
  /** The updates the optimiser produced (added to params by applyUpdates). */
  readonly updates?: ParamTree;
  /** The pre-clip global gradient norm, e.g. `clipByGlobalNorm`'s state `norm`; computed from `grads` when absent. */
  readonly gradNorm?: Tensor;
  /** The input of the first recurrent layer, xs: [T, B, I] (the Jacobian probe needs it). */
  readonly inputs?: Tensor;
}

/**
 * A probe that follows training: it watches scans through its tap and, once per training step,
 * `endStep` reads back what it queued (async reads) and folds it into its typed result. Probes
 * observe only: they never change values, parameters or the training RNG.
 */
export interface TrainingProbe<R> extends Probe<R> {
  /** Called at the start of a training step with its index; probes sample with it. */
  beginStep?(step: number): void;
  endStep?(context: StepContext): Promise<void>;
  /** Frees every tensor the probe still holds. */
  dispose(): void;
}

/** Options most probes share. */
export interface SamplingOptions {
  /** Record every n-th training step (default 1: every step). */
  readonly every?: number;
}

/** Key of a recorded sequence: layer and direction of a scan. */
export function trackKey(event: { readonly layer: number; readonly direction: 'forward' | 'reverse' }): string {
  return `${event.layer}/${event.direction}`;
}

/** Combines taps into one; handlers are present only when some tap has them (an absent onStateGrad costs nothing). */
export function combineTaps(taps: readonly (StepTap | undefined)[]): StepTap {
  const on = taps.flatMap((t) => (t?.onStep ? [t.onStep.bind(t)] : []));
  const grad = taps.flatMap((t) => (t?.onStateGrad ? [t.onStateGrad.bind(t)] : []));
  const tap: { onStep?: (e: StepEvent) => void; onStateGrad?: (e: StateGradEvent) => void } = {};
  if (on.length) tap.onStep = (e) => on.forEach((f) => f(e));
  if (grad.length) tap.onStateGrad = (e) => grad.forEach((f) => f(e));
  return tap;
}

export function backendOf(event: StepEvent): Backend {
  return event.y.backend;
}

/** Steps counted by the probe; `every` picks which ones record. */
export class Sampler {
  step = -1;
  constructor(readonly every = 1) {
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a positive integer, got ${every}.`);
  }
  begin(step: number): void {
    this.step = step;
  }
  get active(): boolean {
    return this.step >= 0 && this.step % this.every === 0;
  }
}
