import { createRng, Rng, treeDispose, type Backend, type RngState } from '@rnnkit/tensor';
import { CharVocab, tokenStream, type StreamPosition } from '@rnnkit/data';
import { loadLatestCheckpoint, saveCheckpoint, type Checkpoint } from '@rnnkit/io';
import { charModel, type CharModel, type CharModelConfig, type CharParams, type CharStates } from '../char-model.js';
import { CliError } from '../cli-error.js';
import type { CharRun } from './char-training.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** Run facts kept beside the model so a resume can refuse different batch shapes. */
interface RunExtra {
  readonly batch: number;
  readonly window: number;
  readonly validationPosition: StreamPosition;
}

/** Saves everything a bit-exact resume needs, atomically, keeping the previous checkpoint. */
export async function saveCharRun(path: string, run: CharRun, meta: { text: string; batch: number; window: number }): Promise<void> {
  const checkpoint: Checkpoint = {
    params: run.params,
    optimizer: run.optState,
    rng: run.rng.state(),
    step: run.step,
    vocab: run.vocab,
    config: run.model.config as unknown as Checkpoint['config'],
    dataPosition: run.train.position(),
    ...(run.carried ? { recurrentState: run.carried } : {}),
    extra: { source: meta.text, run: { batch: meta.batch, window: meta.window, validationPosition: run.validation.position() } as never },
  };
  await saveCheckpoint(path, checkpoint);
}

/** Loads a model and its vocabulary for sampling or inspection. */
export async function loadCharModel(path: string, backend: Backend): Promise<{ model: CharModel; params: CharParams; vocab: CharVocab; checkpoint: Checkpoint }> {
  const { checkpoint } = await loadLatestCheckpoint(path, backend, { expect: { kind: 'char-lm' } });
  const vocab = checkpoint.vocab;
  if (!(vocab instanceof CharVocab)) throw new CliError(`${path} has no character vocabulary; it was not written by rnnkit train on text.`);
  if (checkpoint.recurrentState) treeDispose(checkpoint.recurrentState);
  return { model: charModel(checkpoint.config as unknown as CharModelConfig), params: checkpoint.params as CharParams, vocab, checkpoint };
}

/**
 * Restores a run from its checkpoint: parameters, optimiser state, step, RNG, the data streams'
 * positions and the recurrent state carried across windows. The text must be the same corpus.
 */
export async function loadCharRun(
  path: string, backend: Backend,
  setup: { text: string; batch: number; window: number; seed: number; config: Omit<CharModelConfig, 'vocabSize'> },
): Promise<CharRun> {
  const { checkpoint } = await loadLatestCheckpoint(path, backend, { expect: { kind: 'char-lm' } });
  const vocab = checkpoint.vocab;
  if (!(vocab instanceof CharVocab)) throw new CliError(`${path} has no character vocabulary; it was not written by rnnkit train on text.`);
  const config = checkpoint.config as unknown as CharModelConfig;
  const extra = (checkpoint.extra?.['run'] ?? {}) as unknown as Partial<RunExtra>;
  if (extra.batch !== setup.batch || extra.window !== setup.window)
    throw new CliError(`--resume: the checkpoint was trained with --batch ${extra.batch} and windows of ${extra.window} steps; pass the same values (got ${setup.batch} and ${setup.window}).`);
  const ids = vocab.encode(setup.text);
  const cut = Math.floor(ids.length * 0.95);
  const train = tokenStream(ids.subarray(0, cut), { batchSize: setup.batch, steps: setup.window });
  train.seek(checkpoint.dataPosition as StreamPosition);
  const validation = tokenStream(ids.subarray(cut), { batchSize: (extra.validationPosition?.batchSize ?? setup.batch), steps: setup.window });
  const rng = checkpoint.rng ? Rng.fromState(checkpoint.rng as RngState) : createRng(setup.seed);
  return {
    model: charModel(config), vocab, rng, train, validation,
    params: checkpoint.params as CharParams,
    optState: checkpoint.optimizer,
    carried: checkpoint.recurrentState as CharStates | undefined,
    step: checkpoint.step ?? 0,
  };
}

