import { createRng, scope, tensor, treeDispose, type Backend, type Rng, type Tensor } from '@rnnkit/tensor';
import { valueAndGradWithAux } from '@rnnkit/autograd';
import { softmaxCrossEntropy } from '@rnnkit/nn';
import { applyUpdates, disposeState, type Transform } from '@rnnkit/optim';
import { CharVocab, tokenStream, type StreamWindow, type TokenStream } from '@rnnkit/data';
import type { Diagnostics, ProbeSet } from '@rnnkit/diagnostics';
import { charModel, type CharModel, type CharModelConfig, type CharParams, type CharStates } from '../char-model.js';
import type { Progress } from '../progress.js';
import { sampleText } from '../sampling.js';
import type { RunLog } from './loss-log.js';

/** The state of a character-level run: everything a checkpoint holds. */
export interface CharRun {
  readonly model: CharModel;
  readonly vocab: CharVocab;
  params: CharParams;
  optState: unknown;
  /** Recurrent state carried across truncated-BPTT windows (undefined at a stream start). */
  carried: CharStates | undefined;
  step: number;
  readonly rng: Rng;
  readonly train: TokenStream;
  readonly validation: TokenStream;
}

export interface CharRunSetup {
  readonly text: string;
  readonly config: Omit<CharModelConfig, 'vocabSize'>;
  readonly batch: number;
  /** Steps per window. */
  readonly window: number;
  readonly seed: number;
  readonly vocab?: CharVocab;
}

/** Splits the corpus (95 % train, 5 % validation), builds the vocabulary, model and streams. */
export function createCharRun(setup: CharRunSetup, backend: Backend, optimizer: Transform<unknown>): CharRun {
  const vocab = setup.vocab ?? CharVocab.fromText(setup.text);
  const ids = vocab.encode(setup.text);
  const cut = Math.floor(ids.length * 0.95);
  const model = charModel({ ...setup.config, vocabSize: vocab.size });
  const rng = createRng(setup.seed);
  const params = model.init(rng.fork('init'), backend);
  const valBatch = Math.max(1, Math.min(setup.batch, Math.floor((ids.length - cut - 1) / (setup.window + 1))));
  return {
    model, vocab, params, rng,
    optState: optimizer.init(params),
    carried: undefined,
    step: 0,
    train: tokenStream(ids.subarray(0, cut), { batchSize: setup.batch, steps: setup.window }),
    validation: tokenStream(ids.subarray(cut), { batchSize: valBatch, steps: setup.window }),
  };
}

function upload(backend: Backend, w: StreamWindow): { inputs: Tensor; targets: Tensor } {
  return { inputs: tensor(backend, w.inputs.data, w.inputs.shape, 'i32'), targets: tensor(backend, w.targets.data, w.targets.shape, 'i32') };
}

/**
 * One training window: forward, loss, BPTT over the window, an optimiser update. With `carry`,
 * the final state seeds the next window (detached: no gradient crosses windows).
 */
export async function trainStep(run: CharRun, backend: Backend, optimizer: Transform<unknown>, carry: boolean, dropout: boolean, diag?: Diagnostics<ProbeSet>): Promise<number> {
  const w = run.train.nextWindow();
  if (w.first && run.carried) {
    treeDispose(run.carried);
    run.carried = undefined;
  }
  const { inputs, targets } = upload(backend, w);
  const start = carry ? run.carried : undefined;
  const dropoutRng = run.rng.fork(`dropout/${run.step}`);
  const { value, grads, aux } = valueAndGradWithAux((p: CharParams) => {
    const out = run.model.forward(p, inputs, { ...(start ? { states: start } : {}), training: dropout, rng: dropoutRng, ...(diag ? { tap: diag.tap, keepInputs: true } : {}) });
    const loss = softmaxCrossEntropy(out.logits, targets);
    out.logits.dispose();
    return [loss, { states: out.states, embedded: out.inputs }] as const;
  })(run.params);
  const [updates, next] = optimizer.update(grads, run.optState, run.params);
  // Probes read the step before the old parameters are donated to the update.
  if (diag) await diag.endStep({ loss: value, params: run.params, grads, updates, ...(aux.embedded ? { inputs: aux.embedded } : {}), ...clipNorm(next) });
  run.params = applyUpdates(run.params, updates, { donate: true });
  disposeState([run.optState, grads, inputs, targets]);
  aux.embedded?.dispose();
  run.optState = next;
  if (run.carried) treeDispose(run.carried);
  if (carry) run.carried = aux.states;
  else treeDispose(aux.states);
  run.step++;
  const loss = await value.item();
  value.dispose();
  return loss;
}

// The pre-clip global norm that clipByGlobalNorm keeps in its state (first in the chain).
function clipNorm(state: unknown): { gradNorm?: Tensor } {
  const first = Array.isArray(state) ? (state[0] as { norm?: unknown } | undefined) : undefined;
  return first && typeof first === 'object' && first.norm ? { gradNorm: first.norm as Tensor } : {};
}

/** Mean loss over up to `windows` validation windows, from a zero state, without gradients. */
export async function validationLoss(run: CharRun, backend: Backend, windows: number): Promise<number> {
  const n = Math.min(windows, run.validation.windowsPerEpoch);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = run.validation.window(i, 0);
    const loss = scope(() => {
      const { inputs, targets } = upload(backend, w);
      const { logits, states } = run.model.forward(run.params, inputs);
      treeDispose(states);
      return softmaxCrossEntropy(logits, targets);
    });
    total += await loss.item();
    loss.dispose();
  }
  return total / Math.max(1, n);
}

export interface LoopOptions {
  readonly steps: number;
  readonly deadline: number;
  readonly carry: boolean;
  readonly dropout: boolean;
  readonly evalEvery: number;
  readonly sampleEvery: number;
  readonly checkpointEvery: number;
  readonly tokensPerStep: number;
  readonly onCheckpoint: () => Promise<void>;
  readonly diagnostics?: Diagnostics<ProbeSet>;
}

/** Trains until `steps` windows are done or the deadline passes, logging to `log` and `progress`. */
export async function trainLoop(run: CharRun, backend: Backend, optimizer: Transform<unknown>, options: LoopOptions, progress: Progress, log: RunLog): Promise<void> {
  const first = run.step;
  const started = Date.now();
  let recent = { tokens: 0, since: Date.now() };
  let tokPerSec = 0;
  while (run.step - first < options.steps && Date.now() < options.deadline) {
    const loss = await trainStep(run, backend, optimizer, options.carry, options.dropout, options.diagnostics);
    recent.tokens += options.tokensPerStep;
    if (Date.now() - recent.since > 2000) {
      tokPerSec = (recent.tokens * 1000) / (Date.now() - recent.since);
      recent = { tokens: 0, since: Date.now() };
    }
    if (!tokPerSec) tokPerSec = (options.tokensPerStep * (run.step - first) * 1000) / Math.max(1, Date.now() - started);
    log.train.push({ step: run.step, loss, tokensPerSecond: tokPerSec });
    const byTime = (Date.now() - started) / Math.max(1, options.deadline - started);
    const bySteps = (run.step - first) / options.steps;
    progress.update(Math.max(byTime, bySteps) * 1000, { step: String(run.step), loss: loss.toFixed(3), 'tok/s': tokPerSec.toFixed(0) });
    if (run.step % options.evalEvery === 0) {
      const v = await validationLoss(run, backend, 4);
      log.validation.push({ step: run.step, loss: v });
      progress.log(`step ${run.step}: validation loss ${v.toFixed(3)} (train ${loss.toFixed(3)})`);
    }
    if (run.step % options.sampleEvery === 0) {
      const text = await sampleText(run.model, run.params, run.vocab, backend, { prime: '\n', length: 120, temperature: 0.8, topK: 0, rng: run.rng.fork(`sample/${run.step}`) });
      log.samples.push({ step: run.step, text });
      progress.log(`step ${run.step} sample: ${JSON.stringify(text.slice(0, 120))}`);
    }
    if (run.step % options.checkpointEvery === 0) await options.onCheckpoint();
  }
}
