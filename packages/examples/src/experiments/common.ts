// Shared plumbing of the experiments: backend choice, flags, machine description, output files.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import * as wasmPackage from '@rnnkit/backend-wasm';
import type { Backend } from '@rnnkit/tensor';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/examples/src/experiments/common.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const OUT_DIR = path.join(REPO_ROOT, 'docs', 'experiments');

/**
 * The fast CPU backend (@rnnkit/backend-wasm's createWasmBackend) when that package provides it,
 * else the reference CPU backend; `--backend cpu|wasm` forces one.
 */
export async function chooseBackend(forced?: string): Promise<Backend> {
  const create = (wasmPackage as Record<string, unknown>)['createWasmBackend'];
  if (forced === 'cpu') return createCpuBackend();
  if (typeof create === 'function') return (await (create as () => Backend | Promise<Backend>)());
  if (forced === 'wasm') throw new Error('--backend wasm: @rnnkit/backend-wasm does not export createWasmBackend yet.');
  return createCpuBackend();
}

/** `--name value` and `--flag` arguments. */
export function parseFlags(argv: readonly string[], known: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue; // pnpm passes its separator through
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (!known.includes(name)) throw new Error(`unknown flag --${name}; known: ${known.map((k) => `--${k}`).join(', ')}`);
    if (inline !== undefined) out.set(name, inline);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out.set(name, argv[++i]!);
    else out.set(name, 'true');
  }
  return out;
}

export function intFlag(flags: Map<string, string>, name: string, fallback: number): number {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got '${v}'`);
  return n;
}

export function listFlag(flags: Map<string, string>, name: string, fallback: readonly number[]): number[] {
  const v = flags.get(name);
  if (v === undefined) return [...fallback];
  return v.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be positive integers separated by commas, got '${v}'`);
    return n;
  });
}

/** One line describing the machine, for the reports. */
export function machine(backend: Backend): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return `${model}, ${cpus.length} logical CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}, rnnkit backend '${backend.name}' (single-threaded)`;
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function seconds(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Writes docs/experiments/<name> (or into `dir`) and says so on stderr. */
export function writeOutput(name: string, text: string, dir = OUT_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, text);
  log(`wrote ${path.relative(process.cwd(), file)}`);
  return file;
}
