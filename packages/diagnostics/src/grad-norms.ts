import type { StateGradEvent, StepTap } from '@rnnkit/tensor';
import { Pending } from './internal/pending.js';
import { l2, observe, pack } from './internal/device.js';
import { linearFit } from './internal/stats.js';
import { Sampler, trackKey, type SamplingOptions, type StepContext, type TrainingProbe } from './probe.js';

export type Verdict = 'vanishing' | 'stable' | 'exploding';

/** How ‖∂L/∂s_t‖ decays going back in time from the loss, fitted as a straight line in log space. */
export interface DecayFit {
  /** d ln‖∂L/∂s‖ per step back from the loss: < 0 decays, > 0 grows. */
  readonly logSlopePerStep: number;
  /** exp(logSlopePerStep): the factor the norm changes by per step back. */
  readonly factorPerStep: number;
  /** Steps back over which the norm halves (decay) or doubles (growth); null when flat. */
  readonly halfLife: number | null;
  readonly verdict: Verdict;
}

/** One recorded sequence (layer, direction) at one training step. */
export interface StateGradRecord {
  readonly layer: number;
  readonly direction: 'forward' | 'reverse';
  /** ‖∂L/∂state_t‖ (Frobenius over the batch) for every state tensor, indexed by input time t; null where no gradient arrived. */
  readonly byState: Readonly<Record<string, readonly (number | null)[]>>;
  /** ‖∂L/∂s_t‖ over all state tensors together (s = h, or (h, c) for the LSTM). */
  readonly norm: readonly (number | null)[];
  /** Time index the horizon and the fit count back from. */
  readonly lossStep: number;
  /** First number of steps back from lossStep at which norm < threshold·norm[lossStep]; null when it never falls that low within the sequence. */
  readonly horizon: number | null;
  readonly fit: DecayFit | null;
}

export interface StateGradStep {
  readonly step: number;
  readonly tracks: readonly StateGradRecord[];
}

export interface StateGradNormsResult {
  readonly kind: 'stateGradNorms';
  readonly threshold: number;
  readonly stableBand: number;
  readonly steps: readonly StateGradStep[];
}

export interface StateGradNormOptions extends SamplingOptions {
  /** Relative level that ends the effective horizon (default 0.01: 1 % of the gradient at the loss). */
  readonly threshold?: number;
  /** |d ln‖g‖/dt| below this per step counts as stable (default 0.02, i.e. ±2 % per step). */
  readonly stableBand?: number;
  /**
   * Where the loss is, as an input time index per (layer, direction); default the last step the
   * scan processed (T − 1 forward, 0 reverse), right for a loss on the final state.
   */
  readonly lossStep?: (layer: number, direction: 'forward' | 'reverse', T: number) => number;
}

/**
 * The effective horizon of a gradient-norm curve: walking back from `lossStep` (towards t = 0 when
 * `backwards`, else towards the end), the first distance k at which norm[t] < threshold·norm[lossStep].
 * Null when the reference is zero or missing or the curve never falls that low.
 */
export function effectiveHorizon(norms: readonly (number | null)[], lossStep: number, threshold: number, backwards = true): number | null {
  const ref = norms[lossStep];
  if (ref === null || ref === undefined || !(ref > 0) || !Number.isFinite(ref)) return null;
  for (let k = 1; ; k++) {
    const t = backwards ? lossStep - k : lossStep + k;
    if (t < 0 || t >= norms.length) return null;
    const v = norms[t];
    if (v === null || v === undefined) continue;
    if (v < threshold * ref) return k;
  }
}

/**
 * Fits ln‖g‖ against the distance back from the loss and classifies the decay: vanishing when the
 * norm shrinks faster than `stableBand` per step, exploding when it grows faster, stable between.
 * Zeros (underflow) are floored at the smallest positive f32 so they count as the strong decay they are.
 */
export function fitDecay(norms: readonly (number | null)[], lossStep: number, stableBand = 0.02, backwards = true): DecayFit | null {
  const xs: number[] = [];
  const ys: number[] = [];
  norms.forEach((v, t) => {
    if (v === null || !Number.isFinite(v)) return;
    const k = backwards ? lossStep - t : t - lossStep;
    if (k < 0) return;
    xs.push(k);
    ys.push(Math.log(Math.max(v, 1.4e-45)));
  });
  const line = linearFit(xs, ys);
  if (!line) return null;
  const s = line.slope;
  const verdict: Verdict = s < -stableBand ? 'vanishing' : s > stableBand ? 'exploding' : 'stable';
  return { logSlopePerStep: s, factorPerStep: Math.exp(s), halfLife: s === 0 ? null : Math.LN2 / Math.abs(s), verdict };
}

/**
 * ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖) at every time step, per layer and direction, from the scan's
 * gradient tap; the effective horizon; and the vanishing / stable / exploding verdict from the
 * measured decay. Each norm is reduced on the device during the backward; one read per step.
 */
export function stateGradNormProbe(options: StateGradNormOptions = {}): TrainingProbe<StateGradNormsResult> {
  const threshold = options.threshold ?? 0.01;
  const stableBand = options.stableBand ?? 0.02;
  const sampler = new Sampler(options.every);
  const pending = new Pending();
  const steps: StateGradStep[] = [];
  // For the step being recorded: per track, per state name, per t.
  let current = new Map<string, { layer: number; direction: 'forward' | 'reverse'; byState: Map<string, (number | null)[]>; T: number }>();

  const tap: StepTap = {
    onStateGrad(event: StateGradEvent) {
      if (!sampler.active) return;
      const key = trackKey(event);
      let track = current.get(key);
      if (!track) current.set(key, (track = { layer: event.layer, direction: event.direction, byState: new Map(), T: 0 }));
      track.T = Math.max(track.T, event.t + 1);
      const names = Object.keys(event.grad).filter((k) => event.grad[k]);
      if (names.length === 0) return;
      const norms = observe(() => pack(names.map((k) => l2(event.grad[k]!))));
      const t = event.t;
      const byState = track.byState;
      pending.add(norms, (v) => {
        names.forEach((k, i) => {
          let arr = byState.get(k);
          if (!arr) byState.set(k, (arr = []));
          arr[t] = v[i]!;
        });
      });
    },
  };

  return {
    name: 'stateGradNorms',
    tap,
    beginStep: (step) => sampler.begin(step),
    async endStep(ctx: StepContext) {
      if (!sampler.active) return;
      await pending.flush();
      const tracks: StateGradRecord[] = [];
      for (const track of current.values()) {
        const T = track.T;
        const byState: Record<string, (number | null)[]> = {};
        for (const [k, arr] of track.byState) byState[k] = Array.from({ length: T }, (_, t) => arr[t] ?? null);
        const norm = Array.from({ length: T }, (_, t) => {
          const parts = Object.values(byState).map((a) => a[t]);
          if (parts.every((p) => p === null)) return null;
          return Math.sqrt(parts.reduce<number>((s, p) => s + (p ?? 0) ** 2, 0));
        });
        const backwards = track.direction === 'forward';
        const lossStep = options.lossStep?.(track.layer, track.direction, T) ?? (backwards ? T - 1 : 0);
        tracks.push({
          layer: track.layer,
          direction: track.direction,
          byState,
          norm,
          lossStep,
          horizon: effectiveHorizon(norm, lossStep, threshold, backwards),
          fit: fitDecay(norm, lossStep, stableBand, backwards),
        });
      }
      tracks.sort((a, b) => a.layer - b.layer || a.direction.localeCompare(b.direction));
      steps.push({ step: ctx.step, tracks });
      current = new Map();
    },
    result: () => ({ kind: 'stateGradNorms', threshold, stableBand, steps }),
    dispose: () => pending.clear(),
  };
}
