import type { Backend, StepEvent, StepTap } from '@rnnkit/tensor';
import { Sampler, type SamplingOptions, type StepContext, type TrainingProbe } from './probe.js';

export interface MemoryStep {
  readonly step: number;
  /** Backend bytes live after each time step of the first scan (layer 0, forward), in processing order: BPTT keeps activations, so this grows with t. */
  readonly bytesByTime: readonly number[];
  /** Peak backend bytes during the training step (since the previous endStep, with resetPeak). */
  readonly peakBytes: number;
  /** Bytes and handles live at endStep. */
  readonly bytes: number;
  readonly liveHandles: number;
}

export interface MemoryResult {
  readonly kind: 'memory';
  readonly steps: readonly MemoryStep[];
}

export interface MemoryOptions extends SamplingOptions {
  /** Call backend.resetPeak() at every endStep so peakBytes is per step (default true). */
  readonly resetPeak?: boolean;
  /** The backend to read at endStep when no scan ran on it yet. */
  readonly backend?: Backend;
}

/** Backend memory (backend.stats()) per time step and per training step. Host-side only: no device work. */
export function memoryProbe(options: MemoryOptions = {}): TrainingProbe<MemoryResult> {
  const sampler = new Sampler(options.every);
  const steps: MemoryStep[] = [];
  let backend = options.backend;
  let byTime: number[] = [];
  const tap: StepTap = {
    onStep(event: StepEvent) {
      backend ??= event.y.backend;
      if (!sampler.active || event.layer !== 0 || event.direction !== 'forward') return;
      byTime.push(event.y.backend.stats().bytes);
    },
  };
  return {
    name: 'memory',
    tap,
    beginStep: (step) => sampler.begin(step),
    endStep(ctx: StepContext) {
      const be = backend ?? ctx.loss?.backend;
      if (sampler.active && be) {
        const s = be.stats();
        steps.push({ step: ctx.step, bytesByTime: byTime, peakBytes: s.peakBytes, bytes: s.bytes, liveHandles: s.liveHandles });
      }
      if (be && (options.resetPeak ?? true)) be.resetPeak();
      byTime = [];
      return Promise.resolve();
    },
    result: () => ({ kind: 'memory', steps }),
    dispose: () => undefined,
  };
}
