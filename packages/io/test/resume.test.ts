import { join } from 'node:path';
import { valueAndGradWithAux } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { lstm, type LstmParams, type LstmState } from '@rnnkit/cells';
import { CharVocab, tokenStream, uploadBatch, type StreamPosition, type TokenStream } from '@rnnkit/data';
import { dropout, embedding, linear, softmaxCrossEntropy, type EmbeddingParams, type LinearParams } from '@rnnkit/nn';
import { adam, applyUpdates, chain, clipByGlobalNorm, disposeState, serializeState } from '@rnnkit/optim';
import { createRng, Rng, select, stack, type RngState, type Tensor } from '@rnnkit/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disposeCheckpoint, loadCheckpoint, saveCheckpoint } from '../src/index.js';
import { tempDir, treeBytes } from './helpers.js';

const backend = createCpuBackend();
const text = 'the quick brown fox jumps over the lazy dog; pack my box with five dozen jugs.';
const [B, K, E, H] = [2, 5, 5, 8];

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

/**
 * A tiny char-level LSTM language model trained by truncated BPTT: the text is cut into B streams,
 * each update sees K steps, the LSTM state is carried from window to window (reset at each epoch),
 * dropout draws from the run's Rng, and chain(clipByGlobalNorm, adam) keeps moments and a count.
 */
function setup(dtype: 'f32' | 'f64') {
  const vocab = CharVocab.fromText(text);
  const V = vocab.size;
  const embed = embedding({ numEmbeddings: V, embeddingDim: E, dtype });
  const cell = lstm({ inputSize: E, hiddenSize: H, dtype });
  const head = linear({ inputSize: H, outputSize: V, dtype });
  const config = { kind: 'char-lstm', dtype, embed: E, hidden: H, vocab: V, batch: B, tbptt: K };
  type Params = { embed: EmbeddingParams; cell: LstmParams; head: LinearParams };
  const opt = chain(clipByGlobalNorm(1), adam(0.02));
  type OptState = ReturnType<typeof opt.init>;
  interface Run { params: Params; optState: OptState; rng: Rng; stream: TokenStream; state: LstmState; step: number }

  const init = (seed: number): Params => {
    const rng = createRng(seed);
    return { embed: embed.init(rng, backend), cell: cell.init(rng, backend), head: head.init(rng, backend) };
  };
  const fresh = (): Run => {
    const params = init(0);
    return { params, optState: opt.init(params), rng: createRng(1), stream: tokenStream(vocab.encode(text), { batchSize: B, steps: K }), state: cell.zeroState(B, backend), step: 0 };
  };
  const windowLoss = (p: Params, inputs: Tensor, targets: Tensor, state: LstmState, rng: Rng) => {
    const xs = dropout(embed.apply(p.embed, inputs), 0.1, { training: true, rng }); // [T, B, E]
    let s = state;
    const ys: Tensor[] = [];
    for (let t = 0; t < xs.shape[0]!; t++) {
      const r = cell.step(p.cell, s, select(xs, 0, t));
      ys.push(r.y);
      s = r.state;
    }
    const logits = head.apply(p.head, stack(ys, 0)); // [T, B, V]
    return [softmaxCrossEntropy(logits, targets), s] as const;
  };
  const trainStep = (run: Run) => {
    const w = run.stream.nextWindow();
    if (w.first) {
      disposeState(run.state);
      run.state = cell.zeroState(B, backend);
    }
    const { inputs, targets } = uploadBatch(w, backend);
    const { value, grads, aux } = valueAndGradWithAux((p: Params) => windowLoss(p, inputs, targets, run.state, run.rng))(run.params);
    const [updates, next] = opt.update(grads, run.optState, run.params);
    run.params = applyUpdates<Params>(run.params, updates, { donate: true });
    disposeState([run.optState, grads, value, inputs, targets, run.state]);
    run.optState = next;
    run.state = aux; // carried into the next window, detached: truncated BPTT
    run.step++;
  };
  const save = (run: Run, path: string) =>
    saveCheckpoint(path, {
      params: run.params, optimizer: run.optState, rng: run.rng.state(), step: run.step, vocab, config,
      dataPosition: run.stream.position(), recurrentState: run.state,
    });
  const load = async (path: string): Promise<Run> => {
    const template = init(0);
    const ckpt = await loadCheckpoint<Params, OptState, LstmState>(path, backend, { expect: { kind: 'char-lstm', config, params: template } });
    disposeState(template);
    const stream = tokenStream(ckpt.vocab!.encode(text), { batchSize: B, steps: K });
    stream.seek(ckpt.dataPosition as StreamPosition);
    return { params: ckpt.params, optState: ckpt.optimizer!, rng: Rng.fromState(ckpt.rng as RngState), stream, state: ckpt.recurrentState!, step: ckpt.step! };
  };
  const dispose = (run: Run) => disposeState([run.params, run.optState, run.state]);
  return { fresh, trainStep, save, load, dispose, disposeCheckpoint };
}

describe('resuming from a checkpoint', () => {
  it.each(['f32', 'f64'] as const)('continues truncated-BPTT training bit for bit (%s, CPU backend)', async (dtype) => {
    const N = 12; // crosses an epoch boundary (8 windows per epoch), so the state reset is resumed too
    const t = setup(dtype);
    const live = backend.stats().liveHandles;

    const a = t.fresh();
    expect(a.stream.windowsPerEpoch).toBe(8);
    for (let i = 0; i < N; i++) t.trainStep(a);

    const b1 = t.fresh();
    for (let i = 0; i < N / 2; i++) t.trainStep(b1);
    const path = join(dir, 'latest.safetensors');
    await t.save(b1, path);
    t.dispose(b1); // nothing of the first half survives but the file
    const b = await t.load(path);
    expect(b.step).toBe(N / 2);
    for (let i = 0; i < N / 2; i++) t.trainStep(b);

    expect(await treeBytes(b.params)).toEqual(await treeBytes(a.params));
    expect(await treeBytes(b.state)).toEqual(await treeBytes(a.state));
    expect(await serializeState(b.optState)).toEqual(await serializeState(a.optState));
    expect(b.rng.state()).toEqual(a.rng.state());
    expect(b.stream.position()).toEqual(a.stream.position());
    // The run did learn something (the parameters moved).
    const first = t.fresh();
    expect(await treeBytes(a.params)).not.toEqual(await treeBytes(first.params));
    t.dispose(first);

    t.dispose(a);
    t.dispose(b);
    expect(backend.stats().liveHandles).toBe(live);
  });
});
