import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CharVocab } from '@rnnkit/data';
import { createDiagnostics, renderHtmlReport, standardProbes, toJson } from '@rnnkit/diagnostics';
import { choiceFlag, durationFlag, numberFlag, parseFlags } from '../args.js';
import { openBackend, threadsFlag, type BackendName } from '../backends.js';
import type { CellKind, CharParams } from '../char-model.js';
import { CliError } from '../cli-error.js';
import { DEFAULT_CORPUS, readTextFile } from '../corpus.js';
import { progressBar, formatSeconds } from '../progress.js';
import { htmlReport } from '../report.js';
import { sampleText } from '../sampling.js';
import { createCharRun, trainLoop } from '../training/char-training.js';
import { emptyLog } from '../training/loss-log.js';
import { makeOptimizer, OPTIMIZERS } from '../training/optimizer.js';
import { loadCharRun, saveCharRun, CHECKPOINT_FILE } from '../training/char-checkpoint.js';
import { wordShare } from '../word-check.js';

export const TRAIN_HELP = `rnnkit train [file] — train a character-level language model (text) or a forecaster (.csv)

  file                 text or CSV file (default: the bundled Moby-Dick, see data/SOURCE.md)
  --cell lstm|gru|rnn  recurrent cell (default lstm)
  --hidden N           hidden size (default 256)
  --layers N           recurrent layers (default 1)
  --embedding N        embedding size (default 64)
  --dropout P          dropout between layers (default 0)
  --seq-len N          steps per training window (default 64)
  --tbptt K            truncated BPTT: windows of K steps over contiguous streams, state carried across
  --batch N            sequences per step (default 32)
  --lr X               learning rate (default 2e-3)
  --optimizer NAME     adam|adamw|sgd|rmsprop (default adam)
  --clip X             global gradient-norm clip, 0 for none (default 1)
  --steps N            training steps to run in this invocation
  --epochs N           passes over the data (instead of --steps)
  --time D             training time box, e.g. 300, 5m (default: none)
  --backend NAME       wasm|cpu|webgpu (default wasm: the fast CPU backend)
  --threads N|auto     threads for the wasm backend's matrix products (default auto: every core;
                       results are bit-identical to one thread)
  --seed N             random seed (default 1)
  --out DIR            output directory for checkpoints, samples and the report (default rnnkit-out)
  --resume             continue from DIR's checkpoint, bit for bit
  --sample-every N     print a sample every N steps (default 200)
  --eval-every N       validation loss every N steps (default 100)
  --checkpoint-every N save a checkpoint every N steps (default 200)
  --sample-length N    length of the final sample (default 2000)
  --temperature T      temperature of the final sample (default 0.8)
  --diagnose           attach the diagnostics probes (gradient norm by time step, Jacobian norms,
                       gate saturation, clipping, NaN origin…) and write diagnostics.html/.json
  --diagnose-every N   probe every N-th step (default 10)
`;

export async function trainCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags('train', argv, {
    cell: { type: 'string' }, hidden: { type: 'string' }, layers: { type: 'string' }, embedding: { type: 'string' },
    dropout: { type: 'string' }, 'seq-len': { type: 'string' }, tbptt: { type: 'string' }, batch: { type: 'string' },
    lr: { type: 'string' }, optimizer: { type: 'string' }, clip: { type: 'string' }, steps: { type: 'string' },
    epochs: { type: 'string' }, time: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' }, seed: { type: 'string' },
    out: { type: 'string' }, resume: { type: 'boolean' }, 'sample-every': { type: 'string' }, 'eval-every': { type: 'string' },
    'checkpoint-every': { type: 'string' }, 'sample-length': { type: 'string' }, temperature: { type: 'string' }, help: { type: 'boolean' },
    diagnose: { type: 'boolean' }, 'diagnose-every': { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(TRAIN_HELP);
    return;
  }
  if (positionals.length > 1) throw new CliError(`rnnkit train: expected at most one file, got ${positionals.length}: ${positionals.join(' ')}`);
  const file = positionals[0] ?? DEFAULT_CORPUS;
  if (file.toLowerCase().endsWith('.csv')) {
    const { trainSeries } = await import('../training/series-command.js');
    return trainSeries(file, values);
  }
  const outDir = resolve(values.out ?? 'rnnkit-out');
  const window = numberFlag('tbptt', values.tbptt, numberFlag('seq-len', values['seq-len'], 64, { integer: true, min: 1 }), { integer: true, min: 1 });
  const carry = values.tbptt !== undefined;
  const batch = numberFlag('batch', values.batch, 32, { integer: true, min: 1 });
  const lr = numberFlag('lr', values.lr, 2e-3, { min: 0 });
  const clip = numberFlag('clip', values.clip, 1, { min: 0 });
  const optimizerName = choiceFlag('optimizer', values.optimizer, OPTIMIZERS, 'adam');
  const timeBox = durationFlag('time', values.time);
  const config = {
    kind: 'char-lm' as const,
    cell: choiceFlag<CellKind>('cell', values.cell, ['lstm', 'gru', 'rnn'], 'lstm'),
    hidden: numberFlag('hidden', values.hidden, 256, { integer: true, min: 1 }),
    layers: numberFlag('layers', values.layers, 1, { integer: true, min: 1 }),
    embedding: numberFlag('embedding', values.embedding, 64, { integer: true, min: 1 }),
    dropout: numberFlag('dropout', values.dropout, 0, { min: 0, max: 0.99 }),
  };
  const seed = numberFlag('seed', values.seed, 1, { integer: true, min: 0 });
  const text = readTextFile(file);
  if ([...text.slice(0, 1_000_000)].length < window * batch + 2) throw new CliError(`${file} is too short for --batch ${batch} × --seq-len ${window}; give more text or smaller values.`);
  const { backend, description } = await openBackend(choiceFlag<BackendName>('backend', values.backend, ['wasm', 'cpu', 'webgpu'], 'wasm'), threadsFlag(values.threads));
  const optimizer = makeOptimizer(optimizerName, lr, clip);
  mkdirSync(outDir, { recursive: true });

  const run = values.resume
    ? await loadCharRun(join(outDir, CHECKPOINT_FILE), backend, { text, batch, window, seed, config })
    : createCharRun({ text, config, batch, window, seed, vocab: CharVocab.fromText(text) }, backend, optimizer);
  const stepsPerEpoch = run.train.windowsPerEpoch;
  const steps = values.steps !== undefined ? numberFlag('steps', values.steps, 0, { integer: true, min: 0 })
    : values.epochs !== undefined ? Math.round(numberFlag('epochs', values.epochs, 1, { min: 0 }) * stepsPerEpoch)
    : timeBox !== undefined ? Number.MAX_SAFE_INTEGER : stepsPerEpoch;
  const deadline = timeBox !== undefined ? Date.now() + timeBox * 1000 : Number.POSITIVE_INFINITY;
  process.stderr.write(`rnnkit train: ${file === DEFAULT_CORPUS ? 'Moby-Dick (bundled)' : file}, ${text.length} chars, vocabulary ${run.vocab.size}; ${config.cell} ${config.layers}×${config.hidden}, batch ${batch} × ${window} steps${carry ? ' (truncated BPTT, state carried)' : ''}; backend ${description}${values.resume ? `; resuming at step ${run.step}` : ''}\n`);

  const log = emptyLog();
  const diag = values.diagnose
    ? createDiagnostics(standardProbes({ rng: run.rng, model: run.model.recurrent, params: (p) => (p as CharParams).recurrent, maxNorm: clip, every: numberFlag('diagnose-every', values['diagnose-every'], 10, { integer: true, min: 1 }) }), { model: `${config.cell} ${config.layers}×${config.hidden}`, data: file === DEFAULT_CORPUS ? 'Moby-Dick (bundled)' : file })
    : undefined;
  const progress = progressBar('train', 1000);
  const started = Date.now();
  let savedAt = -1;
  const save = async () => {
    if (savedAt === run.step) return; // the loop may have just saved this step
    await saveCharRun(join(outDir, CHECKPOINT_FILE), run, { text: file, batch, window });
    savedAt = run.step;
  };
  await trainLoop(run, backend, optimizer, {
    steps, deadline, carry, dropout: config.dropout > 0,
    evalEvery: numberFlag('eval-every', values['eval-every'], 100, { integer: true, min: 1 }),
    sampleEvery: numberFlag('sample-every', values['sample-every'], 200, { integer: true, min: 1 }),
    checkpointEvery: numberFlag('checkpoint-every', values['checkpoint-every'], 200, { integer: true, min: 1 }),
    tokensPerStep: batch * window,
    onCheckpoint: save,
    ...(diag ? { diagnostics: diag } : {}),
  }, progress, log);
  if (diag) {
    writeAtomic(join(outDir, 'diagnostics.json'), toJson(diag.result()));
    writeAtomic(join(outDir, 'diagnostics.html'), renderHtmlReport(diag.result(), { title: 'rnnkit train --diagnose' }));
    diag.dispose();
    process.stderr.write(`wrote ${join(outDir, 'diagnostics.html')} and diagnostics.json\n`);
  }
  const last = log.train.at(-1);
  progress.finish({ step: String(run.step), loss: last ? last.loss.toFixed(3) : '-', 'tok/s': last ? last.tokensPerSecond.toFixed(0) : '-' });
  await save();

  const sampleLength = numberFlag('sample-length', values['sample-length'], 2000, { integer: true, min: 1 });
  const temperature = numberFlag('temperature', values.temperature, 0.8, { min: 0 });
  const sample = await sampleText(run.model, run.params, run.vocab, backend, { prime: '\n', length: sampleLength, temperature, topK: 0, rng: run.rng.fork(`final-sample/${run.step}`) });
  const words = wordShare(sample, text);
  writeAtomic(join(outDir, 'sample.txt'), sample);
  log.samples.push({ step: run.step, text: sample });
  const facts: [string, string][] = [
    ['data', file === DEFAULT_CORPUS ? 'Moby-Dick (bundled)' : file],
    ['model', `${config.cell}, ${config.layers} layer(s) × ${config.hidden}, embedding ${config.embedding}, vocabulary ${run.vocab.size}`],
    ['training', `${run.step} steps, batch ${batch} × ${window}, ${optimizerName} lr ${lr}, clip ${clip}${carry ? ', truncated BPTT' : ''}`],
    ['backend', description],
    ['time', formatSeconds((Date.now() - started) / 1000)],
    ['final sample', `${sampleLength} chars at temperature ${temperature}: ${(words.share * 100).toFixed(1)} % of ${words.words} words are in the corpus vocabulary`],
  ];
  writeAtomic(join(outDir, 'report.html'), htmlReport('rnnkit train', log, facts));
  process.stdout.write(`${sample}\n`);
  process.stderr.write(`\nwords: ${(words.share * 100).toFixed(1)} % of the ${words.words} alphabetic tokens in the ${sampleLength}-character sample (temperature ${temperature}) are words of the corpus\n`);
  process.stderr.write(`wrote ${join(outDir, CHECKPOINT_FILE)}, ${join(outDir, 'sample.txt')}, ${join(outDir, 'report.html')}\n`);
}

/** Writes a file via a temporary name and a rename, so a reader never sees half of it. */
export function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
