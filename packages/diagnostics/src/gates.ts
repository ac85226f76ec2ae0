import { add, cast, gt, lt, mean, mul, sqrt, stack, sum, tanh, type StepEvent, type StepTap, type Tensor } from '@rnnkit/tensor';
import { Pending } from './internal/pending.js';
import { observe } from './internal/device.js';
import { arithmeticMean, finiteOrNull, linearFit } from './internal/stats.js';
import { Sampler, trackKey, type SamplingOptions, type StepContext, type TrainingProbe } from './probe.js';

/**
 * How to read an auxiliary: a sigmoid gate (saturated below 0.05 or above 0.95), a tanh output
 * (saturated where |x| > 0.95), a tanh pre-activation (|tanh(x)| > 0.95, i.e. |x| > atanh 0.95),
 * or not a gate.
 */
export type GateKind = 'sigmoid' | 'tanh' | 'preTanh' | 'ignore';

/** The built-in cells' auxiliaries: LSTM i, f, o σ and g tanh (c is the cell state); GRU r, z σ, n tanh; tanh RNN preActivation. */
export const DEFAULT_GATE_KINDS: Readonly<Record<string, GateKind>> = {
  i: 'sigmoid', f: 'sigmoid', o: 'sigmoid', r: 'sigmoid', z: 'sigmoid', g: 'tanh', n: 'tanh', c: 'ignore', preActivation: 'preTanh',
};

const ATANH_095 = Math.atanh(0.95);

export interface GateStats {
  /** Fraction of activations saturated (low + high). */
  readonly saturated: number;
  /** Sigmoid: fraction below 0.05; tanh: fraction below −0.95. */
  readonly low: number;
  /** Sigmoid: fraction above 0.95; tanh: fraction above 0.95. */
  readonly high: number;
  /** Mean activation (of tanh(x) for a pre-activation). */
  readonly mean: number;
  /** Saturated fraction at each time step (input time index). */
  readonly byTime: readonly (number | null)[];
}

export interface GateSaturationStep {
  readonly step: number;
  /** Per track "layer/direction", per gate. */
  readonly tracks: Readonly<Record<string, Readonly<Record<string, GateStats>>>>;
}

export interface GateSaturationResult {
  readonly kind: 'gateSaturation';
  readonly gateKinds: Readonly<Record<string, GateKind>>;
  readonly steps: readonly GateSaturationStep[];
}

export interface GateSaturationOptions extends SamplingOptions {
  /** Overrides or extends DEFAULT_GATE_KINDS (for your own cell's auxiliaries). */
  readonly gates?: Readonly<Record<string, GateKind>>;
}

type Acc = Map<string, Map<string, { low: number[]; high: number[]; mean: number[]; T: number }>>;

/** [low, high, mean] fractions of one activation, on the device. */
function saturation(x: Tensor, kind: Exclude<GateKind, 'ignore'>): Tensor {
  const frac = (b: Tensor) => mean(cast(b, x.dtype));
  if (kind === 'sigmoid') return stack([frac(lt(x, 0.05)), frac(gt(x, 0.95)), mean(x)], 0);
  const limit = kind === 'tanh' ? 0.95 : ATANH_095;
  const m = kind === 'tanh' ? mean(x) : mean(tanh(x));
  return stack([frac(lt(x, -limit)), frac(gt(x, limit)), m], 0);
}


/**
 * Gate saturation per gate: the fraction of sigmoid gates below 0.05 or above 0.95 and of tanh
 * units with |value| > 0.95, over the batch, units and time, and per time step.
 */
export function gateSaturationProbe(options: GateSaturationOptions = {}): TrainingProbe<GateSaturationResult> {
  const kinds = { ...DEFAULT_GATE_KINDS, ...options.gates };
  const sampler = new Sampler(options.every);
  const pending = new Pending();
  const steps: GateSaturationStep[] = [];
  let acc: Acc = new Map();
  const tap: StepTap = {
    onStep(event: StepEvent) {
      if (!sampler.active) return;
      const key = trackKey(event);
      let track = acc.get(key);
      if (!track) acc.set(key, (track = new Map<string, { low: number[]; high: number[]; mean: number[]; T: number }>()));
      for (const [name, value] of Object.entries(event.aux)) {
        const kind = kinds[name] ?? 'ignore';
        if (kind === 'ignore') continue;
        let g = track.get(name);
        if (!g) track.set(name, (g = { low: [], high: [], mean: [], T: 0 }));
        const t = event.t;
        g.T = Math.max(g.T, t + 1);
        const gate = g;
        pending.add(observe(() => saturation(value, kind)), (v) => {
          gate.low[t] = v[0]!;
          gate.high[t] = v[1]!;
          gate.mean[t] = v[2]!;
        });
      }
    },
  };
  return {
    name: 'gateSaturation',
    tap,
    beginStep: (step) => sampler.begin(step),
    async endStep(ctx: StepContext) {
      if (!sampler.active) return;
      await pending.flush();
      const tracks: Record<string, Record<string, GateStats>> = {};
      for (const [key, gates] of acc) {
        tracks[key] = {};
        for (const [name, g] of gates) {
          const at = (a: number[]) => Array.from({ length: g.T }, (_, t) => a[t] ?? Number.NaN);
          const low = arithmeticMean(at(g.low));
          const high = arithmeticMean(at(g.high));
          tracks[key][name] = {
            saturated: low + high,
            low,
            high,
            mean: arithmeticMean(at(g.mean)),
            byTime: Array.from({ length: g.T }, (_, t) => (g.low[t] === undefined ? null : g.low[t] + g.high[t]!)),
          };
        }
      }
      steps.push({ step: ctx.step, tracks });
      acc = new Map();
    },
    result: () => ({ kind: 'gateSaturation', gateKinds: kinds, steps }),
    dispose: () => pending.clear(),
  };
}

export interface ForgetGateTrack {
  /** The gate read as "keep the old state": LSTM f, GRU z, MGU 1 − f. */
  readonly gate: string;
  /** f̄: mean over batch, units and time. */
  readonly mean: number;
  /** −1/ln f̄ in time steps: how long the average unit remembers (Infinity when f̄ = 1). */
  readonly timescale: number | null;
  readonly byTime: readonly (number | null)[];
}

export interface ForgetGateStep {
  readonly step: number;
  readonly tracks: Readonly<Record<string, ForgetGateTrack>>;
}

export interface ForgetGateResult {
  readonly kind: 'forgetGate';
  readonly steps: readonly ForgetGateStep[];
}

export interface ForgetGateOptions extends SamplingOptions {
  /**
   * Which auxiliary keeps the state, and whether it is the gate itself or 1 − gate. Default by the
   * auxiliaries present: LSTM (i, f, g, o) → f; GRU (r, z, n) → z; a lone f (MGU) → 1 − f.
   */
  readonly gate?: { readonly name: string; readonly complement?: boolean };
}

function keepGateOf(aux: Readonly<Record<string, Tensor>>, option: ForgetGateOptions['gate']): { name: string; complement: boolean } | null {
  if (option) return aux[option.name] ? { name: option.name, complement: option.complement ?? false } : null;
  if (aux['i'] && aux['f'] && aux['o']) return { name: 'f', complement: false };
  if (aux['r'] && aux['z']) return { name: 'z', complement: false };
  if (aux['f']) return { name: 'f', complement: true };
  return null;
}

/** The memory timescale of f̄ (mean keep gate): −1/ln f̄ steps; null when f̄ is not in (0, 1]. */
export function memoryTimescale(fBar: number): number | null {
  if (!(fBar > 0) || fBar > 1) return null;
  return fBar === 1 ? Number.POSITIVE_INFINITY : -1 / Math.log(fBar);
}

/** Mean forget (keep) gate f̄ and the memory timescale −1/ln f̄, per layer and direction. */
export function forgetGateProbe(options: ForgetGateOptions = {}): TrainingProbe<ForgetGateResult> {
  const sampler = new Sampler(options.every);
  const pending = new Pending();
  const steps: ForgetGateStep[] = [];
  let acc = new Map<string, { gate: string; byTime: number[]; T: number }>();
  const tap: StepTap = {
    onStep(event: StepEvent) {
      if (!sampler.active) return;
      const which = keepGateOf(event.aux, options.gate);
      if (!which) return;
      const key = trackKey(event);
      let a = acc.get(key);
      if (!a) acc.set(key, (a = { gate: which.complement ? `1 − ${which.name}` : which.name, byTime: [], T: 0 }));
      const t = event.t;
      a.T = Math.max(a.T, t + 1);
      const rec = a;
      const g = event.aux[which.name]!;
      pending.add(observe(() => (which.complement ? add(mul(mean(g), -1), 1) : mean(g))), (v) => (rec.byTime[t] = v[0]!));
    },
  };
  return {
    name: 'forgetGate',
    tap,
    beginStep: (step) => sampler.begin(step),
    async endStep(ctx: StepContext) {
      if (!sampler.active) return;
      await pending.flush();
      const tracks: Record<string, ForgetGateTrack> = {};
      for (const [key, a] of acc) {
        const byTime = Array.from({ length: a.T }, (_, t) => a.byTime[t] ?? null);
        const m = arithmeticMean(byTime.map((v) => v ?? Number.NaN));
        const tau = memoryTimescale(m);
        tracks[key] = { gate: a.gate, mean: m, timescale: tau === Number.POSITIVE_INFINITY ? null : tau, byTime };
      }
      steps.push({ step: ctx.step, tracks });
      acc = new Map();
    },
    result: () => ({ kind: 'forgetGate', steps }),
    dispose: () => pending.clear(),
  };
}

export interface StateNormTrack {
  /** Mean over the batch of the per-sequence L2 norm of each state tensor, at every time step. */
  readonly byState: Readonly<Record<string, readonly (number | null)[]>>;
  /** Per state: d‖s_t‖/dt (least-squares, per step) and ‖s_last‖/‖s_first‖. */
  readonly growth: Readonly<Record<string, { readonly slopePerStep: number | null; readonly ratio: number | null }>>;
}

export interface StateNormStep {
  readonly step: number;
  readonly tracks: Readonly<Record<string, StateNormTrack>>;
}

export interface StateNormResult {
  readonly kind: 'stateNorms';
  readonly steps: readonly StateNormStep[];
}

/** Norms of the recurrent state over time (h, and the LSTM's cell state c) and how fast they grow. */
export function stateNormProbe(options: SamplingOptions = {}): TrainingProbe<StateNormResult> {
  const sampler = new Sampler(options.every);
  const pending = new Pending();
  const steps: StateNormStep[] = [];
  let acc = new Map<string, { names: string[]; values: Map<string, number[]>; order: number[] }>();
  const tap: StepTap = {
    onStep(event: StepEvent) {
      if (!sampler.active) return;
      const key = trackKey(event);
      const names = Object.keys(event.state);
      let a = acc.get(key);
      if (!a) acc.set(key, (a = { names, values: new Map(names.map((k) => [k, []])), order: [] }));
      const t = event.t;
      a.order.push(t);
      const rec = a;
      const norms = observe(() => stack(names.map((k) => mean(sqrt(sum(mul(event.state[k]!, event.state[k]!), -1)))), 0));
      pending.add(norms, (v) => names.forEach((k, i) => (rec.values.get(k)![t] = v[i]!)));
    },
  };
  return {
    name: 'stateNorms',
    tap,
    beginStep: (step) => sampler.begin(step),
    async endStep(ctx: StepContext) {
      if (!sampler.active) return;
      await pending.flush();
      const tracks: Record<string, StateNormTrack> = {};
      for (const [key, a] of acc) {
        const T = Math.max(...a.order) + 1;
        const byState: Record<string, (number | null)[]> = {};
        const growth: Record<string, { slopePerStep: number | null; ratio: number | null }> = {};
        for (const k of a.names) {
          const arr = Array.from({ length: T }, (_, t) => a.values.get(k)![t] ?? null);
          byState[k] = arr;
          // Processing order: first and last as the scan ran them.
          const seq = a.order.map((t) => arr[t] ?? Number.NaN);
          const fit = linearFit(seq.map((_, i) => i), seq);
          growth[k] = { slopePerStep: fit ? fit.slope : null, ratio: finiteOrNull(seq[seq.length - 1]! / seq[0]!) };
        }
        tracks[key] = { byState, growth };
      }
      steps.push({ step: ctx.step, tracks });
      acc = new Map();
    },
    result: () => ({ kind: 'stateNorms', steps }),
    dispose: () => pending.clear(),
  };
}
