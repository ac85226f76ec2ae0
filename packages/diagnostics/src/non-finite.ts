import { cast, stack, treeFlatten, type StateGradEvent, type StepEvent, type StepTap, type Tensor } from '@rnnkit/tensor';
import { Pending } from './internal/pending.js';
import { finiteFlag, observe } from './internal/device.js';
import { finiteFlags } from './internal/finite.js';
import { Sampler, type SamplingOptions, type StepContext, type TrainingProbe } from './probe.js';

/** Where a NaN or ±Inf was first seen, in the order the step computed things. */
export interface NonFiniteOrigin {
  readonly step: number;
  /** parameters → inputs → forward (time step by time step) → loss → backward → gradients → updates. */
  readonly phase: 'parameters' | 'inputs' | 'forward' | 'loss' | 'backward' | 'gradients' | 'updates';
  /** e.g. 'aux.f', 'state.c', 'y', 'grad.h', or a parameter path such as 'cell.weight_hh'. */
  readonly tensor: string;
  /** Input time index (forward and backward phases). */
  readonly t?: number;
  readonly layer?: number;
  readonly direction?: 'forward' | 'reverse';
}

export interface NonFiniteResult {
  readonly kind: 'nonFinite';
  /** The first origin over all of training; null while everything is finite. */
  readonly first: NonFiniteOrigin | null;
  /** The first origin of every step that had one. */
  readonly steps: readonly NonFiniteOrigin[];
}

interface Seen {
  seq: number;
  phase: 'forward' | 'backward';
  t: number;
  layer: number;
  direction: 'forward' | 'reverse';
  names: string[];
  flags?: Float64Array;
}

function flagsOf(ts: readonly Tensor[]): Tensor {
  return observe(() => stack(ts.map((x) => (x.dtype === 'f32' ? finiteFlag(x) : cast(finiteFlag(x), 'f32'))), 0));
}

/**
 * NaN/Inf detection naming the first tensor and time step where a non-finite value appeared:
 * parameters and inputs, then every auxiliary (gate), state and output of every time step in
 * the order the scans ran, the loss, every ∂L/∂state_t in the order the backward produced them,
 * the gradients and the updates. Each check is one multiply and one sum on the device.
 */
export function nonFiniteProbe(options: SamplingOptions = {}): TrainingProbe<NonFiniteResult> {
  const sampler = new Sampler(options.every);
  const pending = new Pending();
  const origins: NonFiniteOrigin[] = [];
  let seen: Seen[] = [];
  let seq = 0;
  const record = (phase: 'forward' | 'backward', e: { t: number; layer: number; direction: 'forward' | 'reverse' }, named: [string, Tensor][]) => {
    const floats = named.filter(([, x]) => x.dtype === 'f32' || x.dtype === 'f64');
    if (floats.length === 0) return;
    const s: Seen = { seq: seq++, phase, t: e.t, layer: e.layer, direction: e.direction, names: floats.map(([n]) => n) };
    seen.push(s);
    pending.add(flagsOf(floats.map(([, x]) => x)), (v) => (s.flags = v));
  };
  const tap: StepTap = {
    onStep(event: StepEvent) {
      if (!sampler.active) return;
      record('forward', event, [
        ...Object.entries(event.aux).map(([k, v]) => [`aux.${k}`, v] as [string, Tensor]),
        ...Object.entries(event.state).map(([k, v]) => [`state.${k}`, v] as [string, Tensor]),
        ['y', event.y],
      ]);
    },
    onStateGrad(event: StateGradEvent) {
      if (!sampler.active) return;
      record('backward', event, Object.entries(event.grad).flatMap(([k, v]) => (v ? [[`grad.${k}`, v] as [string, Tensor]] : [])));
    },
  };
  const firstIn = async (step: number, phase: NonFiniteOrigin['phase'], named: [string, Tensor][]): Promise<NonFiniteOrigin | null> => {
    if (named.length === 0) return null;
    const ok = await finiteFlags(named.map(([, t]) => t));
    const i = ok.findIndex((v) => !v);
    return i < 0 ? null : { step, phase, tensor: named[i]![0] || '(root)' };
  };
  const firstSeen = (step: number, phase: 'forward' | 'backward'): NonFiniteOrigin | null => {
    for (const s of seen.filter((x) => x.phase === phase).sort((a, b) => a.seq - b.seq)) {
      const i = s.flags ? Array.from(s.flags).findIndex((v) => v !== 0) : -1;
      if (i >= 0) return { step, phase, tensor: s.names[i]!, t: s.t, layer: s.layer, direction: s.direction };
    }
    return null;
  };
  return {
    name: 'nonFinite',
    tap,
    beginStep: (step) => sampler.begin(step),
    async endStep(ctx: StepContext) {
      if (!sampler.active) return;
      try {
        await pending.flush();
        const step = ctx.step;
        const origin =
          (ctx.params ? await firstIn(step, 'parameters', treeFlatten(ctx.params)) : null) ??
          (ctx.inputs ? await firstIn(step, 'inputs', [['inputs', ctx.inputs]]) : null) ??
          firstSeen(step, 'forward') ??
          (ctx.loss ? await firstIn(step, 'loss', [['loss', ctx.loss]]) : null) ??
          firstSeen(step, 'backward') ??
          (ctx.grads ? await firstIn(step, 'gradients', treeFlatten(ctx.grads)) : null) ??
          (ctx.updates ? await firstIn(step, 'updates', treeFlatten(ctx.updates)) : null);
        if (origin) origins.push(origin);
      } finally {
        seen = [];
        seq = 0;
      }
    },
    result: () => ({ kind: 'nonFinite', first: origins[0] ?? null, steps: origins }),
    dispose: () => pending.clear(),
  };
}

/** Describes an origin in one sentence. */
export function describeNonFinite(o: NonFiniteOrigin): string {
  const where = o.t === undefined ? '' : ` at time step t = ${o.t} (layer ${o.layer}, ${o.direction})`;
  return `training step ${o.step}: first non-finite value in ${o.phase} tensor '${o.tensor}'${where}.`;
}
