#!/usr/bin/env node
// The `rnnkit` command. Every failure a user can cause is one line on stderr and a non-zero exit.
import { setFlagsFromString } from 'node:v8';
import { RnnkitError } from '@rnnkit/tensor';
import { CliError } from './cli-error.js';

// Node 20 runs relaxed SIMD (fused multiply-add, ~25 % faster GEMM) only behind a flag. The
// library never sets V8 flags; the command may, for its own process, before any wasm compiles.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const HELP = `rnnkit — train and run recurrent neural networks

  rnnkit train [file]            train on a text (char-level) or CSV (time series) file;
                                 with no file, on the bundled Moby-Dick
  rnnkit sample <checkpoint>     generate text (--prime, --length, --temperature, --top-k)
  rnnkit forecast <checkpoint> <csv>   forecast the next values of a series
  rnnkit info <checkpoint>       what a checkpoint holds
  rnnkit diagnose <checkpoint> [data]  gradient norms through time, Jacobians, gate saturation
  rnnkit export <checkpoint> --to pytorch|onnx   write a model as a PyTorch state dict
                                 (safetensors) or an ONNX model
  rnnkit import <file> --from pytorch|tfjs|onnx  make an rnnkit checkpoint of a PyTorch,
                                 tfjs or ONNX model (--vocab for sampling)
  rnnkit <command> --help        the flags of a command
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return;
    case '--version':
      process.stdout.write('0.1.0\n');
      return;
    case 'train':
      return (await import('./commands/train.js')).trainCommand(rest);
    case 'sample':
      return (await import('./commands/sample.js')).sampleCommand(rest);
    case 'forecast':
      return (await import('./commands/forecast.js')).forecastCommand(rest);
    case 'info':
      return (await import('./commands/info.js')).infoCommand(rest);
    case 'diagnose':
      return (await import('./commands/diagnose.js')).diagnoseCommand(rest);
    case 'export':
      return (await import('./commands/export.js')).exportCommand(rest);
    case 'import':
      return (await import('./commands/import.js')).importCommand(rest);
    default:
      throw new CliError(`unknown command '${command}' (see rnnkit --help)`, 2);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const known = e instanceof CliError || e instanceof RnnkitError;
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`\nrnnkit: ${known ? message.split('\n')[0] : `internal error: ${message.split('\n')[0]}`}\n`);
  if (!known && process.env['RNNKIT_DEBUG']) console.error(e);
  process.exit(e instanceof CliError ? e.exitCode : 1);
});
