// Sequence-length scaling (BENCHMARKS.md): LSTM I=128 H=256 B=32, T ∈ {100, 1000, 10000}, one train
// step (loss, BPTT, Adam) by full BPTT, truncated BPTT (k1 = k2 = 100) and checkpointed full BPTT
// (segments of √T). Inputs and targets are uploaded per window/segment from host arrays, so only a
// window's data is on the backend at a time unless the tape keeps it. Reports time per token and
// the backend's stats().peakBytes.
import { segmentedBptt, truncatedBptt, type Window } from '@rnnkit/bptt';
import { softmaxCrossEntropy } from '@rnnkit/nn';
import { narrow, scope, tensor, type Backend, type CellState, type Tensor } from '@rnnkit/tensor';
import { emit, note, resultLine, stdoutSink, type Progress, type Sink } from './report.js';
import { RNNKIT_VERSION, forward, makeModel, makeTrainer, type ModelParams } from './rnnkit.js';
import { INPUT_SEED, TARGET_SEED, randomNormal, randomTargets } from './seeded.js';
import { timeBatches, type TimingConfig } from './timing.js';
import { flopsPerBatch } from './workloads.js';

export type BpttKind = 'full' | 'truncated' | 'checkpointed';
export const SCALING_T = [100, 1000, 10000] as const;
export const SCALING_BPTT: readonly BpttKind[] = ['full', 'truncated', 'checkpointed'];
export const SCALING_SHAPE = { cell: 'lstm', I: 128, H: 256, B: 32, V: 128 } as const;
/** Truncation window: k1 = k2 = 100. */
export const K = 100;
/** Segment length for full BPTT's per-segment uploads (memory is ∝ T whatever it is). */
export const FULL_SEGMENT = 100;

/**
 * The scaling protocol. One train step at T = 10000 is 100 batches' worth of work, so the
 * throughput protocol (at least 3 timed, at least 60 s) would take most of an hour per row on a slow
 * backend: T < 1000 uses 1 warm-up and at least 2 timed steps over at least 20 s (at most 5);
 * T >= 1000 one timed step after no warm-up (a T = 1000 step is itself 10 batches of work, and the
 * T = 100 rows have warmed the same code by then).
 */
export function scalingTiming(T: number, quick: boolean, maxSeconds: number): TimingConfig {
  if (quick || T >= 1000) return { warmups: 0, minRuns: 1, maxRuns: 1, minSeconds: 0, maxSeconds };
  return { warmups: 1, minRuns: 2, maxRuns: 5, minSeconds: 20, maxSeconds };
}

export interface ScalingOptions {
  readonly Ts: readonly number[];
  readonly kinds: readonly BpttKind[];
  readonly quick: boolean;
  readonly maxSeconds: number;
  readonly progress?: Progress;
  readonly sink?: Sink;
  /** Override the protocol (tests). */
  readonly timing?: TimingConfig;
  /** Override the shape (tests). */
  readonly shape?: { readonly I: number; readonly H: number; readonly B: number; readonly V: number; readonly k?: number };
}

/** One train step over a sequence of T steps, by `kind`. */
export function scalingStep(be: Backend, T: number, kind: BpttKind, hostX: Float32Array, hostY: Int32Array, shape: { I: number; H: number; B: number; V: number; k?: number }) {
  const { I, H, B, V } = shape;
  const k = shape.k ?? K;
  const model = makeModel(be, 'lstm', I, H, V);
  const trainer = makeTrainer(model);
  const windowLoss = (p: ModelParams, win: Window, state: CellState): readonly [Tensor, CellState] =>
    scope(() => {
      const len = win.end - win.start;
      const xs = tensor(be, hostX.subarray(win.start * B * I, win.end * B * I), [len, B, I], 'f32');
      const y = tensor(be, hostY.subarray(win.lossStart * B, win.end * B), [win.end - win.lossStart, B], 'i32');
      const { logits, state: next } = forward(model, p, xs, state);
      const from = win.lossStart - win.start;
      const counted = from > 0 ? narrow(logits, 0, from, len - from) : logits;
      return [softmaxCrossEntropy(counted, y), next] as const;
    });

  const step = async (): Promise<void> => {
    const initialState = model.cell.zeroState(B, be);
    let loss: Tensor;
    let finalState: CellState;
    if (kind === 'truncated') {
      let last: Tensor | undefined;
      finalState = truncatedBptt<ModelParams, CellState>({
        length: T,
        k1: k,
        k2: k,
        initialState,
        loss: windowLoss,
        params: () => model.params,
        update: (grads, l) => {
          trainer.update(grads);
          last?.dispose();
          last = l.retain();
        },
      });
      loss = last!;
    } else {
      const segment = kind === 'full' ? Math.min(FULL_SEGMENT, T) : Math.max(1, Math.round(Math.sqrt(T)));
      const r = segmentedBptt<ModelParams, CellState>(model.params, { length: T, segment, mode: kind, initialState, loss: windowLoss });
      trainer.update(r.grads);
      loss = r.value;
      finalState = r.state;
    }
    const v = await loss.item();
    loss.dispose();
    for (const s of Object.values(finalState)) s.dispose();
    for (const s of Object.values(initialState)) s.dispose();
    if (!Number.isFinite(v)) throw new Error(`scaling ${kind} T=${T}: the loss is ${v}`);
  };
  return { step, dispose: () => trainer.dispose() };
}

export async function runScaling(be: Backend, choice: { name: string; threads: number; adapter: string | null }, options: ScalingOptions): Promise<void> {
  const shape = options.shape ?? SCALING_SHAPE;
  const { I, B, V } = shape;
  for (const T of options.Ts) {
    const hostX = randomNormal(T * B * I, INPUT_SEED);
    const hostY = randomTargets(T * B, V, TARGET_SEED);
    for (const kind of options.kinds) {
      const label = `rnnkit/${choice.name} scaling T=${T} ${kind}`;
      try {
        const { step, dispose } = scalingStep(be, T, kind, hostX, hostY, shape);
        let peak = 0;
        try {
          const timing = await timeBatches(
            async () => {
              be.resetPeak();
              await step();
              peak = Math.max(peak, be.stats().peakBytes);
            },
            options.timing ?? scalingTiming(T, options.quick, options.maxSeconds),
            { onBatch: (phase, i) => options.progress?.update(`${label}: ${phase} ${i + 1}`), afterWarmup: () => void (peak = 0) },
          );
          emit(
            resultLine({
              system: 'rnnkit',
              backend: choice.name,
              version: RNNKIT_VERSION,
              workload: `lstm-h${shape.H}-scaling`,
              mode: 'train',
              threads: choice.threads,
              adapter: choice.adapter,
              seconds: timing.seconds,
              tokensPerBatch: B * T,
              flopsPerBatch: flopsPerBatch({ cell: 'lstm', I, H: shape.H, B, T, V }, 'train'),
              peakBytes: peak,
              scaling: { T, bptt: kind },
            }),
            options.sink ?? stdoutSink,
          );
        } finally {
          dispose();
        }
      } catch (e) {
        note(`\nerror ${label}: ${(e as Error).stack ?? String(e)}`);
      }
      options.progress?.tick();
    }
  }
}
