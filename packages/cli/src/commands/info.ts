import { readFileSync } from 'node:fs';
import { decodeSafetensors } from '@rnnkit/io';
import { parseFlags } from '../args.js';
import { CliError } from '../cli-error.js';

/** `rnnkit info <checkpoint>`: what a checkpoint holds, without loading it onto a backend. */
export function infoCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags('info', argv, { help: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write('rnnkit info <checkpoint> — model kind, configuration, step and tensors of a checkpoint\n');
    return Promise.resolve();
  }
  if (positionals.length !== 1) throw new CliError('rnnkit info: give exactly one checkpoint file', 2);
  const path = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new CliError(`${path}: no such file.`);
  }
  const contents = decodeSafetensors(bytes, { source: path });
  const meta = contents.metadata;
  const lines = [`checkpoint ${path} (${bytes.length} bytes)`];
  for (const [k, v] of Object.entries(meta)) lines.push(`  ${k}: ${v.length > 300 ? `${v.slice(0, 300)}…` : v}`);
  let params = 0;
  let count = 0;
  for (const [name, t] of contents.tensors) {
    count++;
    if (!name.includes('/')) params += t.shape.reduce((a: number, b: number) => a * b, 1);
  }
  lines.push(`  tensors: ${count}; model parameters: ${params}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return Promise.resolve();
}
