import { globalNorm } from '@rnnkit/optim';
import { cast, stack, treeFlatten, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { l2, observe } from './internal/device.js';
import { finiteOrNull } from './internal/stats.js';
import { finiteFlags } from './internal/finite.js';
import { Sampler, type SamplingOptions, type TrainingProbe } from './probe.js';

async function readScalar(t: Tensor): Promise<number> {
  return (await t.read())[0]!;
}

export interface LossResult {
  readonly kind: 'loss';
  readonly steps: readonly { readonly step: number; readonly loss: number | null }[];
}

/** The loss of every (sampled) training step, from StepContext.loss. */
export function lossProbe(options: SamplingOptions = {}): TrainingProbe<LossResult> {
  const sampler = new Sampler(options.every);
  const steps: { step: number; loss: number | null }[] = [];
  return {
    name: 'loss',
    beginStep: (step) => sampler.begin(step),
    async endStep(ctx) {
      if (!sampler.active || !ctx.loss) return;
      steps.push({ step: ctx.step, loss: finiteOrNull(await readScalar(ctx.loss)) });
    },
    result: () => ({ kind: 'loss', steps }),
    dispose: () => undefined,
  };
}

export interface GradientClipResult {
  readonly kind: 'gradientClip';
  readonly maxNorm: number | null;
  /** The global gradient norm before clipping, per recorded step. */
  readonly steps: readonly { readonly step: number; readonly norm: number | null; readonly clipped: boolean }[];
  /** Fraction of recorded steps whose norm exceeded maxNorm (clipByGlobalNorm scales when norm + 1e-6 > maxNorm). */
  readonly clippedFraction: number | null;
}

export interface GradientClipOptions extends SamplingOptions {
  /** The clip threshold the optimiser uses (clipByGlobalNorm's maxNorm); without it nothing counts as clipped. */
  readonly maxNorm?: number;
}

/**
 * The global gradient norm before clipping and the fraction of steps clipped. Reads
 * StepContext.gradNorm (clipByGlobalNorm's state `norm`) when given, else computes ‖grads‖ itself.
 */
export function gradientClipProbe(options: GradientClipOptions = {}): TrainingProbe<GradientClipResult> {
  const sampler = new Sampler(options.every);
  const maxNorm = options.maxNorm ?? null;
  const steps: { step: number; norm: number | null; clipped: boolean }[] = [];
  return {
    name: 'gradientClip',
    beginStep: (step) => sampler.begin(step),
    async endStep(ctx) {
      if (!sampler.active) return;
      let norm: number;
      if (ctx.gradNorm) norm = await readScalar(ctx.gradNorm);
      else if (ctx.grads) {
        const t = observe(() => globalNorm(ctx.grads!));
        try {
          norm = await readScalar(t);
        } finally {
          t.dispose();
        }
      } else return;
      steps.push({ step: ctx.step, norm: finiteOrNull(norm), clipped: maxNorm !== null && !(norm + 1e-6 <= maxNorm) });
    },
    result: () => ({
      kind: 'gradientClip',
      maxNorm,
      steps,
      clippedFraction: steps.length && maxNorm !== null ? steps.filter((s) => s.clipped).length / steps.length : null,
    }),
    dispose: () => undefined,
  };
}

export interface UpdateRatioResult {
  readonly kind: 'updateRatio';
  /** ‖update‖/‖param‖ per parameter tensor (dotted path), per recorded step. ~1e-3 is the usual healthy order. */
  readonly steps: readonly { readonly step: number; readonly ratios: Readonly<Record<string, number | null>> }[];
}

/** The update-to-parameter ratio ‖Δp‖/‖p‖ of every parameter tensor (needs StepContext.params and .updates). */
export function updateRatioProbe(options: SamplingOptions = {}): TrainingProbe<UpdateRatioResult> {
  const sampler = new Sampler(options.every);
  const steps: { step: number; ratios: Record<string, number | null> }[] = [];
  return {
    name: 'updateRatio',
    beginStep: (step) => sampler.begin(step),
    async endStep(ctx) {
      if (!sampler.active || !ctx.params || !ctx.updates) return;
      const params = new Map(treeFlatten(ctx.params));
      const updates = treeFlatten(ctx.updates).filter(([p]) => params.has(p));
      if (updates.length === 0) return;
      const norms = observe(() => {
        const dtype = updates[0]![1].dtype;
        const each = updates.flatMap(([path, u]) => [l2(u), l2(params.get(path)!)]).map((t) => (t.dtype === dtype ? t : cast(t, dtype)));
        return stack(each, 0);
      });
      let v: ArrayLike<number>;
      try {
        v = await norms.read();
      } finally {
        norms.dispose();
      }
      const ratios: Record<string, number | null> = {};
      updates.forEach(([path], i) => (ratios[path] = finiteOrNull(v[2 * i]! / v[2 * i + 1]!)));
      steps.push({ step: ctx.step, ratios });
    },
    result: () => ({ kind: 'updateRatio', steps }),
    dispose: () => undefined,
  };
}

/** Checks every leaf of a tree at once; returns the path of the first non-finite leaf, or null. */
export async function firstNonFinite(tree: ParamTree): Promise<string | null> {
  const leaves = treeFlatten(tree);
  if (leaves.length === 0) return null;
  const flags = await finiteFlags(leaves.map(([, t]) => t));
  const i = flags.findIndex((ok) => !ok);
  return i < 0 ? null : leaves[i]![0] || '(root)';
}
