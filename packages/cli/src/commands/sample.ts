import { createRng } from '@rnnkit/tensor';
import { choiceFlag, numberFlag, parseFlags } from '../args.js';
import { openBackend, type BackendName } from '../backends.js';
import { CliError } from '../cli-error.js';
import { sampleText } from '../sampling.js';
import { loadCharModel } from '../training/char-checkpoint.js';

const HELP = `rnnkit sample <checkpoint> — generate text from a character-level model

  --prime TEXT       text to start from (default a newline)
  --length N         characters to generate (default 500)
  --temperature T    sampling temperature; 0 picks the most likely character (default 0.8)
  --top-k K          sample among the K most likely characters only (default 0: all)
  --seed N           random seed (default 1)
  --backend NAME     wasm|cpu|webgpu (default wasm)
`;

export async function sampleCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags('sample', argv, {
    prime: { type: 'string' }, length: { type: 'string' }, temperature: { type: 'string' }, 'top-k': { type: 'string' },
    seed: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean' },
  });
  if (values.help) return void process.stdout.write(HELP);
  if (positionals.length !== 1) throw new CliError('rnnkit sample: give exactly one checkpoint file (see rnnkit sample --help)', 2);
  const { backend } = await openBackend(choiceFlag<BackendName>('backend', values.backend, ['wasm', 'cpu', 'webgpu'], 'wasm'));
  const { model, params, vocab } = await loadCharModel(positionals[0]!, backend);
  const prime = values.prime ?? '\n';
  for (const ch of prime) if (vocab.idOf(ch) === undefined) throw new CliError(`--prime: the character ${JSON.stringify(ch)} is not in the model's vocabulary.`);
  const text = await sampleText(model, params, vocab, backend, {
    prime,
    length: numberFlag('length', values.length, 500, { integer: true, min: 1 }),
    temperature: numberFlag('temperature', values.temperature, 0.8, { min: 0 }),
    topK: numberFlag('top-k', values['top-k'], 0, { integer: true, min: 0 }),
    rng: createRng(numberFlag('seed', values.seed, 1, { integer: true, min: 0 })),
  });
  process.stdout.write(`${text}\n`);
}
