import { valueAndGrad } from '@rnnkit/autograd';
import { treeDispose, type Cell, type ParamTree, type Rng, type StepTap, type Tensor } from '@rnnkit/tensor';
import { combineTaps, type StepContext, type TrainingProbe } from './probe.js';
import { stateGradNormProbe, type StateGradNormOptions, type StateGradNormsResult } from './grad-norms.js';
import { jacobianProbe, type CellStack, type StateJacobianResult } from './jacobian.js';
import { forgetGateProbe, gateSaturationProbe, stateNormProbe, type ForgetGateResult, type GateSaturationResult, type StateNormResult } from './gates.js';
import { gradientClipProbe, lossProbe, updateRatioProbe, type GradientClipResult, type LossResult, type UpdateRatioResult } from './training.js';
import { nonFiniteProbe, type NonFiniteResult } from './non-finite.js';
import { memoryProbe, type MemoryResult } from './memory.js';

/** Every built-in probe's result; `kind` tells them apart (reports find charts by it). */
export type ProbeResult =
  | StateGradNormsResult | StateJacobianResult | GateSaturationResult | ForgetGateResult | StateNormResult
  | GradientClipResult | UpdateRatioResult | LossResult | NonFiniteResult | MemoryResult;

export type ProbeSet = Readonly<Record<string, TrainingProbe<unknown>>>;
export type ResultsOf<P extends ProbeSet> = { readonly [K in keyof P]: P[K] extends TrainingProbe<infer R> ? R : never };

/** Plain data: write it with JSON.stringify (toJson) or render it (renderHtmlReport). */
export interface DiagnosticsReport<R = Readonly<Record<string, unknown>>> {
  readonly format: 'rnnkit-diagnostics';
  readonly version: 1;
  /** Anything that describes the run (model, data, optimiser); shown at the top of the HTML report. */
  readonly meta: Readonly<Record<string, unknown>>;
  /** Training steps seen (endStep calls). */
  readonly trainingSteps: number;
  readonly probes: R;
}

export interface Diagnostics<P extends ProbeSet> {
  /** Pass to scan / recurrent(...).run as `tap`. Leave it out and nothing is observed, at no cost. */
  readonly tap: StepTap;
  /** Index of the training step being observed. */
  readonly step: number;
  /** After each training step, before the parameters are freed: the probes read back what they queued. */
  endStep(context?: Omit<StepContext, 'step'>): Promise<void>;
  result(): DiagnosticsReport<ResultsOf<P>>;
  /** Frees every tensor the probes still hold (nothing is left live after it). */
  dispose(): void;
}

/**
 * A set of probes sharing one tap: attach `tap` to the scans of a training step, then
 * `await endStep({ loss, params, grads, updates, gradNorm, inputs })`. Probes only observe:
 * with the tap on the composite path, the training result is the same bit for bit.
 */
export function createDiagnostics<P extends ProbeSet>(probes: P, meta: Readonly<Record<string, unknown>> = {}): Diagnostics<P> {
  const list = Object.values(probes);
  let step = 0;
  for (const p of list) p.beginStep?.(0);
  return {
    tap: combineTaps(list.map((p) => p.tap)),
    get step() {
      return step;
    },
    async endStep(context = {}) {
      const ctx: StepContext = { ...context, step };
      for (const p of list) await p.endStep?.(ctx);
      step++;
      for (const p of list) p.beginStep?.(step);
    },
    result() {
      const results = Object.fromEntries(Object.entries(probes).map(([k, p]) => [k, p.result()])) as ResultsOf<P>;
      return { format: 'rnnkit-diagnostics', version: 1, meta, trainingSteps: step, probes: results };
    },
    dispose() {
      for (const p of list) p.dispose();
    },
  };
}

export interface StandardProbeOptions {
  /** Forked for the Jacobian probe's start vectors; the stream itself is not advanced. */
  readonly rng: Rng;
  /** The probed cell (one scan) or stack (recurrent(...)); without either, no Jacobian probe. */
  readonly cell?: Cell;
  readonly model?: CellStack;
  /** Picks the cell's (or stack's) parameters out of the training parameters. */
  readonly params?: (trainingParams: ParamTree) => ParamTree;
  /** clipByGlobalNorm's maxNorm, to count clipped steps. */
  readonly maxNorm?: number;
  /** Sampling of the cheap per-step probes (default 1). */
  readonly every?: number;
  /** Sampling of the Jacobian probe, the costly one (default 10 × every). */
  readonly jacobianEvery?: number;
  readonly jacobianRows?: number;
  readonly threshold?: StateGradNormOptions['threshold'];
  readonly stableBand?: StateGradNormOptions['stableBand'];
}

function baseProbes(options: StandardProbeOptions) {
  const every = options.every ?? 1;
  return {
    loss: lossProbe({ every }),
    stateGradNorms: stateGradNormProbe({ every, threshold: options.threshold, stableBand: options.stableBand }),
    gateSaturation: gateSaturationProbe({ every }),
    forgetGate: forgetGateProbe({ every }),
    stateNorms: stateNormProbe({ every }),
    gradientClip: gradientClipProbe({ every, maxNorm: options.maxNorm }),
    updateRatio: updateRatioProbe({ every }),
    nonFinite: nonFiniteProbe(),
    memory: memoryProbe({ every }),
  };
}

type BaseProbes = ReturnType<typeof baseProbes>;

/** Every built-in probe with sensible defaults, keyed by name; the Jacobian probe when a cell or model is given. */
export function standardProbes(options: StandardProbeOptions & ({ readonly cell: Cell } | { readonly model: CellStack })): BaseProbes & { stateJacobian: TrainingProbe<StateJacobianResult> };
export function standardProbes(options: StandardProbeOptions): BaseProbes;
export function standardProbes(options: StandardProbeOptions): BaseProbes & { stateJacobian?: TrainingProbe<StateJacobianResult> } {
  const base = baseProbes(options);
  if (!options.cell && !options.model) return base;
  const every = options.every ?? 1;
  const stateJacobian = jacobianProbe({
    cell: options.cell, model: options.model, params: options.params, rng: options.rng, every: options.jacobianEvery ?? 10 * every, rows: options.jacobianRows,
  });
  return { ...base, stateJacobian };
}

export interface DiagnoseOptions<Q extends ParamTree> {
  readonly params: Q;
  /** The loss of one batch, running its scans with the tap it is given. */
  readonly loss: (params: Q, tap: StepTap) => Tensor;
  /** xs of the first layer, for the Jacobian probe. */
  readonly inputs?: Tensor;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/**
 * Runs the probes on a saved model without training: one forward and backward of `loss`, no update
 * (what `rnnkit diagnose <checkpoint> [data]` needs). Gradients are freed; the report is returned.
 */
export async function diagnose<P extends ProbeSet, Q extends ParamTree>(probes: P, options: DiagnoseOptions<Q>): Promise<DiagnosticsReport<ResultsOf<P>>> {
  const diag = createDiagnostics(probes, options.meta);
  try {
    const { value, grads } = valueAndGrad((p: Q) => options.loss(p, diag.tap))(options.params);
    try {
      await diag.endStep({ loss: value, params: options.params, grads: grads as ParamTree, inputs: options.inputs });
    } finally {
      value.dispose();
      treeDispose(grads as ParamTree);
    }
    return diag.result();
  } finally {
    diag.dispose();
  }
}

/** The report as JSON (NaN and ±Inf were already turned into null by the probes). */
export function toJson(report: DiagnosticsReport<unknown>, space: number | undefined = 2): string {
  return JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), space);
}
