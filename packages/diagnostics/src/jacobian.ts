import { vjp } from '@rnnkit/autograd';
import {
  add, concat, copy, div, fail, maximum, mul, narrow, normal, scope, select, split, sqrt, sum, untraced,
  type Cell, type CellState, type ParamTree, type Rng, type StepEvent, type StepTap, type Tensor,
} from '@rnnkit/tensor';
import { forwardJvp } from './internal/forward-mode.js';
import { arithmeticMean, finiteOrNull, geometricMean } from './internal/stats.js';
import { Sampler, trackKey, type SamplingOptions, type StepContext, type TrainingProbe } from './probe.js';

export interface SpectralNormOptions {
  /** Power-iteration rounds at most (default 30). */
  readonly iterations?: number;
  /** Stop when no row's estimate moved by more than this, relatively (default 1e-7). */
  readonly tolerance?: number;
  /** Where the start vectors come from. Give a fork of your RNG (`rng.fork('jacobian')`) so training's stream is untouched. */
  readonly rng: Rng;
}

/** The state tensors of a cell side by side: s = [h] or [h, c], each row one sequence. */
function stateNames(cell: Cell): string[] {
  return Object.keys(cell.stateSizes);
}

function rowNorms(x: Tensor, floor: number): Tensor {
  return maximum(sqrt(sum(mul(x, x), -1, true)), floor);
}

/**
 * The spectral norm ‖∂s_t/∂s_{t−1}‖₂ of one cell step for every row of a batch, by power
 * iteration on JᵀJ: each round is one forward-mode product J v (jvp) and one `vjp` (Jᵀ u) through `cell.step` at
 * (x, prev); no Jacobian is formed. Rows are independent sequences, so the batch's Jacobian is
 * block-diagonal and every row iterates on its own block at once. s = (h, c) for the LSTM.
 * Returns σ per row (host numbers). x: [N, I]; prev: each state [N, size].
 */
export async function stateJacobianNorms<P extends ParamTree, S extends CellState>(
  cell: Cell<P, S>, params: P, x: Tensor, prev: S, options: SpectralNormOptions,
): Promise<Float64Array> {
  const names = stateNames(cell);
  const sizes = names.map((k) => (cell.stateSizes as Record<string, number>)[k]!);
  const N = x.shape[0]!;
  for (const k of names) {
    const s = prev[k];
    if (!s || s.rank !== 2 || s.shape[0] !== N) fail(`stateJacobianNorms(${cell.kind}): state '${k}' must be [${N}, ${(cell.stateSizes as Record<string, number>)[k]}] to match x [${N}, ${x.shape[1]}].`);
  }
  const iterations = options.iterations ?? 30;
  const tolerance = options.tolerance ?? 1e-7;
  const floor = x.dtype === 'f64' ? 1e-300 : 1e-30;
  const backend = x.backend;
  const f = (s: Tensor): Tensor => {
    const parts = names.length === 1 ? [s] : split(s, sizes, -1);
    const state = Object.fromEntries(names.map((k, i) => [k, parts[i]!])) as unknown as S;
    const next = cell.step(params, state, x).state;
    return names.length === 1 ? next[names[0]!]! : concat(names.map((k) => next[k]!), -1);
  };
  return untraced(async () => {
    const s0 = names.length === 1 ? prev[names[0]!]! : concat(names.map((k) => prev[k]!), -1);
    let v = scope(() => {
      const r = normal(options.rng, backend, s0.shape, 0, 1, { dtype: s0.dtype });
      return div(r, rowNorms(r, floor));
    });
    let sigma: Float64Array | undefined;
    try {
      for (let k = 0; k < iterations; k++) {
        const [jv, next, est] = scope(() => {
          const [out, jvv] = forwardJvp(f, s0, v);
          out.dispose();
          const pull = vjp(f, [s0]);
          for (const o of pull.outputs) o.dispose();
          const [jtjv] = pull.backward([jvv]);
          const w = jtjv ?? mul(v, 0);
          return [jvv, div(w, rowNorms(w, floor)), sqrt(sum(mul(jvv, jvv), -1))] as const;
        });
        jv.dispose();
        v.dispose();
        v = next;
        const values = Float64Array.from((await est.read()) as ArrayLike<number>);
        est.dispose();
        const done = sigma !== undefined && values.every((s, i) => Math.abs(s - sigma![i]!) <= tolerance * Math.max(Math.abs(s), floor));
        sigma = values;
        if (done) break;
      }
      // One last J v with the converged direction.
      const est = scope(() => {
        const [out, jvv] = forwardJvp(f, s0, v);
        out.dispose();
        return sqrt(sum(mul(jvv, jvv), -1));
      });
      sigma = Float64Array.from((await est.read()) as ArrayLike<number>);
      est.dispose();
      return sigma;
    } finally {
      v.dispose();
      if (names.length !== 1) s0.dispose();
    }
  });
}

/** Cells of a stack, as `recurrent(...)` exposes them. */
export interface CellStack {
  readonly cells: readonly { readonly forward: Cell; readonly reverse?: Cell }[];
}

export interface JacobianProbeOptions extends SamplingOptions {
  /** The cell (one scan) or the stack (`recurrent(...)`) whose steps are probed. */
  readonly cell?: Cell;
  readonly model?: CellStack;
  /**
   * Picks the cell's parameters (or the stack's { layers }) out of the training parameters in
   * StepContext.params; default: the training parameters themselves.
   */
  readonly params?: (trainingParams: ParamTree) => ParamTree;
  /** Rows of the batch probed (default 4; the first ones). */
  readonly rows?: number;
  /** Probe every k-th time step (default 1). */
  readonly timeStride?: number;
  readonly iterations?: number;
  readonly tolerance?: number;
  /** The probe forks its own stream from this (`rng.fork('diagnostics/jacobian')`), leaving the training stream untouched. */
  readonly rng: Rng;
}

export interface JacobianTrack {
  readonly layer: number;
  readonly direction: 'forward' | 'reverse';
  /** Input time indices probed. */
  readonly times: readonly number[];
  /** σ_t = ‖∂s_t/∂s_{t−1}‖₂ averaged over the probed rows, and its maximum over them. */
  readonly sigmaMean: readonly (number | null)[];
  readonly sigmaMax: readonly (number | null)[];
  /** Geometric means over time of sigmaMean and sigmaMax. */
  readonly geometricMean: number | null;
  readonly geometricMeanOfMax: number | null;
  /**
   * Pascanu, Mikolov and Bengio (2013): ‖∏ ∂s_t/∂s_{t−1}‖ ≤ ∏ σ_t. When the geometric mean of the
   * per-step maximum is below 1 this bound shrinks geometrically, which is sufficient for the
   * long-range gradient to vanish; above 1 it is only necessary for explosion, not proof of it.
   */
  readonly condition: {
    readonly sufficientForVanishing: boolean;
    readonly log10Bound: number | null;
    readonly note: string;
  };
}

export interface JacobianStep {
  readonly step: number;
  readonly tracks: readonly JacobianTrack[];
}

export interface StateJacobianResult {
  readonly kind: 'stateJacobian';
  readonly rows: number;
  readonly iterations: number;
  readonly steps: readonly JacobianStep[];
}

interface Recorded {
  layer: number;
  direction: 'forward' | 'reverse';
  states: Map<number, CellState>; // t -> state after step t (probed rows, copies)
  ys: Map<number, Tensor>;
  order: number[]; // t in processing order
}

/**
 * Spectral norm of the state Jacobian ∂s_t/∂s_{t−1} at every probed time step (s = h, or (h, c)
 * for the LSTM), by power iteration with jvp and vjp through one cell step at the recorded x_t and
 * s_{t−1}. The tap keeps copies of the probed rows' states; endStep runs the iteration (all time
 * steps batched as rows) and frees them. Layers above the first take the layer below's recorded
 * outputs as x_t (without inter-layer dropout). s_{−1} is the zero state.
 */
export function jacobianProbe(options: JacobianProbeOptions): TrainingProbe<StateJacobianResult> {
  const rows = options.rows ?? 4;
  const stride = options.timeStride ?? 1;
  const iterations = options.iterations ?? 30;
  const sampler = new Sampler(options.every);
  const base = options.rng.fork('diagnostics/jacobian');
  if (!options.cell && !options.model) fail('jacobianProbe: give the cell (one scan) or the model (a recurrent stack) whose steps to probe.');
  const cellOf = (layer: number, direction: 'forward' | 'reverse'): Cell => {
    if (options.model) {
      const c = options.model.cells[layer];
      const cell = direction === 'forward' ? c?.forward : c?.reverse;
      return cell ?? fail(`jacobianProbe: the model has no ${direction} cell in layer ${layer}.`);
    }
    return options.cell!;
  };
  const paramsOf = (all: ParamTree, layer: number, direction: 'forward' | 'reverse'): ParamTree => {
    const p = options.params ? options.params(all) : all;
    if (!options.model) return p;
    const layers = (p as { layers?: readonly Record<string, ParamTree>[] }).layers;
    const lp = layers?.[layer]?.[direction];
    return lp ?? fail(`jacobianProbe: the parameters have no layers[${layer}].${direction}; pass params: (p) => p.<path to the stack's { layers }>.`);
  };
  let recorded = new Map<string, Recorded>();
  const free = () => {
    for (const r of recorded.values()) {
      for (const s of r.states.values()) for (const t of Object.values(s)) t.dispose();
      for (const y of r.ys.values()) y.dispose();
    }
    recorded = new Map();
  };

  const tap: StepTap = {
    onStep(event: StepEvent) {
      if (!sampler.active) return;
      const key = trackKey(event);
      let r = recorded.get(key);
      if (!r) recorded.set(key, (r = { layer: event.layer, direction: event.direction, states: new Map(), ys: new Map(), order: [] }));
      const B = event.y.shape[0]!;
      const n = Math.min(rows, B);
      untraced(() => {
        r.states.set(event.t, Object.fromEntries(Object.entries(event.state).map(([k, s]) => [k, scope(() => copy(narrow(s, 0, 0, n)))])));
        r.ys.set(event.t, scope(() => copy(narrow(event.y, 0, 0, n))));
      });
      r.order.push(event.t);
    },
  };

  const inputAt = (ctx: StepContext, layer: number, t: number, n: number): Tensor => {
    if (layer === 0) {
      if (!ctx.inputs) fail('jacobianProbe: endStep needs context.inputs (xs: [T, B, I]) to rebuild x_t.');
      return scope(() => copy(narrow(select(ctx.inputs!, 0, t), 0, 0, n)));
    }
    const below = [...recorded.values()].filter((r) => r.layer === layer - 1).sort((a, b) => a.direction.localeCompare(b.direction));
    const ys = below.map((r) => r.ys.get(t) ?? fail(`jacobianProbe: no output of layer ${layer - 1} at t = ${t} was recorded.`));
    if (ys.length === 1) return copy(ys[0]!);
    const cell = cellOf(layer, 'forward');
    // forward before reverse, as recurrent() concatenates; summed when the widths say 'sum'.
    return cell.inputSize === ys[0]!.shape[1]! * 2 ? concat(ys, -1) : add(ys[0]!, ys[1]!);
  };

  const results: JacobianStep[] = [];
  return {
    name: 'stateJacobian',
    tap,
    beginStep: (step) => sampler.begin(step),
    async endStep(ctx: StepContext) {
      if (!sampler.active) return free();
      try {
        if (!ctx.params) fail('jacobianProbe: endStep needs context.params (the parameters the forward ran with).');
        const tracks: JacobianTrack[] = [];
        for (const r of [...recorded.values()].sort((a, b) => a.layer - b.layer || a.direction.localeCompare(b.direction))) {
          const cell = cellOf(r.layer, r.direction);
          const params = paramsOf(ctx.params, r.layer, r.direction);
          const times = r.order.filter((_, k) => k % stride === 0);
          const first = r.states.get(r.order[0]!)!;
          const n = Object.values(first)[0]!.shape[0]!;
          const names = Object.keys(cell.stateSizes);
          const { x, prev } = untraced(() =>
            scope(() => {
              const xs = times.map((t) => inputAt(ctx, r.layer, t, n));
              const zero = cell.zeroState(n, xs[0]!.backend);
              const prevOf = (k: number): CellState => (k === 0 ? zero : r.states.get(r.order[k - 1]!)!);
              const idx = times.map((t) => r.order.indexOf(t));
              return {
                x: concat(xs, 0),
                prev: Object.fromEntries<Tensor>(names.map((name) => [name, concat(idx.map((k) => prevOf(k)[name]!), 0)])),
              };
            }),
          );
          let sigma: Float64Array;
          try {
            sigma = await stateJacobianNorms(cell, params, x, prev, { iterations, tolerance: options.tolerance, rng: base.fork(`step ${ctx.step} ${trackKey(r)}`) });
          } finally {
            x.dispose();
            for (const t of Object.values(prev)) t.dispose();
          }
          const sigmaMean: (number | null)[] = [];
          const sigmaMax: (number | null)[] = [];
          times.forEach((_, i) => {
            const row = Array.from(sigma.subarray(i * n, (i + 1) * n));
            sigmaMean.push(finiteOrNull(arithmeticMean(row)));
            sigmaMax.push(finiteOrNull(Math.max(...row)));
          });
          const gm = geometricMean(sigmaMean.map((v) => v ?? Number.NaN));
          const gmMax = geometricMean(sigmaMax.map((v) => v ?? Number.NaN));
          const log10Bound = sigmaMax.every((v) => v !== null && v > 0) ? sigmaMax.reduce<number>((s, v) => s + Math.log10(v!), 0) : null;
          tracks.push({
            layer: r.layer,
            direction: r.direction,
            times,
            sigmaMean,
            sigmaMax,
            geometricMean: finiteOrNull(gm),
            geometricMeanOfMax: finiteOrNull(gmMax),
            condition: {
              sufficientForVanishing: gmMax < 1,
              log10Bound,
              note:
                gmMax < 1
                  ? `∏σ_t ≤ ${gmMax.toPrecision(3)}^T: the bound on ‖∂s_T/∂s_0‖ shrinks geometrically, which is sufficient for vanishing (Pascanu et al. 2013).`
                  : `geometric mean of max σ_t is ${gmMax.toPrecision(3)} ≥ 1: necessary for exploding gradients but no proof of it; the measured decay decides.`,
            },
          });
        }
        results.push({ step: ctx.step, tracks });
      } finally {
        free();
      }
    },
    result: () => ({ kind: 'stateJacobian', rows, iterations, steps: results }),
    dispose: free,
  };
}
