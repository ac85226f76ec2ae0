import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scope, tensor, treeDispose, type StepTap } from '@rnnkit/tensor';
import { tokenStream } from '@rnnkit/data';
import { diagnose, renderHtmlReport, standardProbes, toJson } from '@rnnkit/diagnostics';
import { softmaxCrossEntropy } from '@rnnkit/nn';
import { choiceFlag, numberFlag, parseFlags } from '../args.js';
import { openBackend, type BackendName } from '../backends.js';
import type { CharParams } from '../char-model.js';
import { CliError } from '../cli-error.js';
import { DEFAULT_CORPUS, readTextFile } from '../corpus.js';
import { loadCharModel } from '../training/char-checkpoint.js';
import { writeAtomic } from './train.js';

const HELP = `rnnkit diagnose <checkpoint> [data] — run the diagnostics probes on a saved character model

  data           text to probe with (default the bundled Moby-Dick)
  --batch N      sequences (default 16)
  --seq-len N    steps per sequence (default 100)
  --out DIR      where diagnostics.html/.json go (default: the checkpoint's folder)
  --backend NAME wasm|cpu|webgpu (default wasm)
`;

/** One forward and backward of a saved model with every probe attached, no update: a report. */
export async function diagnoseCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags('diagnose', argv, {
    batch: { type: 'string' }, 'seq-len': { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean' },
  });
  if (values.help) return void process.stdout.write(HELP);
  if (positionals.length < 1 || positionals.length > 2) throw new CliError('rnnkit diagnose: give a checkpoint and optionally a text file (see rnnkit diagnose --help)', 2);
  const [ckpt, dataFile] = positionals as [string, string | undefined];
  const { backend } = await openBackend(choiceFlag<BackendName>('backend', values.backend, ['wasm', 'cpu', 'webgpu'], 'wasm'));
  const { model, params, vocab, checkpoint } = await loadCharModel(ckpt, backend);
  const text = readTextFile(dataFile ?? DEFAULT_CORPUS);
  for (const ch of new Set(text)) if (vocab.idOf(ch) === undefined && vocab.unkId === undefined) throw new CliError(`${dataFile}: the character ${JSON.stringify(ch)} is not in the model's vocabulary.`);
  const batch = numberFlag('batch', values.batch, 16, { integer: true, min: 1 });
  const steps = numberFlag('seq-len', values['seq-len'], 100, { integer: true, min: 2 });
  const w = tokenStream(vocab.encode(text), { batchSize: batch, steps }).window(0);
  const ids = tensor(backend, w.inputs.data, w.inputs.shape, 'i32');
  const targets = tensor(backend, w.targets.data, w.targets.shape, 'i32');
  const embedded = scope(() => model.forward(params, ids, { keepInputs: true }));
  treeDispose(embedded.states);
  embedded.logits.dispose();
  const report = await diagnose(standardProbes({ rng: checkpoint.rng ? (await import('@rnnkit/tensor')).Rng.fromState(checkpoint.rng as never) : (await import('@rnnkit/tensor')).createRng(0), model: model.recurrent, params: (p) => (p as CharParams).recurrent }), {
    params,
    inputs: embedded.inputs,
    meta: { checkpoint: ckpt, model: `${model.config.cell} ${model.config.layers}×${model.config.hidden}`, step: checkpoint.step ?? 0, data: dataFile ?? 'Moby-Dick (bundled)' },
    loss: (p: CharParams, tap: StepTap) => {
      const { logits, states } = model.forward(p, ids, { tap });
      treeDispose(states);
      return softmaxCrossEntropy(logits, targets);
    },
  });
  for (const t of [ids, targets, embedded.inputs]) t?.dispose();
  treeDispose(params);
  const outDir = resolve(values.out ?? join(ckpt, '..'));
  mkdirSync(outDir, { recursive: true });
  writeAtomic(join(outDir, 'diagnostics.json'), toJson(report));
  writeAtomic(join(outDir, 'diagnostics.html'), renderHtmlReport(report, { title: `rnnkit diagnose ${ckpt}` }));
  const summary = report.probes.stateGradNorms.steps.at(-1)?.tracks
    .map((t) => `layer ${t.layer} ${t.direction}: ${t.fit?.verdict ?? 'no fit'}, ‖∂L/∂s_t‖ × ${t.fit ? t.fit.factorPerStep.toFixed(3) : '?'} per step back, horizon ${t.horizon ?? 'beyond the sequence'}`)
    .join('; ');
  process.stdout.write(`${summary ? `gradient through time: ${summary}\n` : ''}wrote ${join(outDir, 'diagnostics.html')} and diagnostics.json\n`);
}
