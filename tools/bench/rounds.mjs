// Interleaved rounds against the PyTorch yardstick, for machines whose speed drifts (shared VMs run
// the same code 30–40 % slower for tens of seconds at a time, so two rows minutes apart can disagree
// by more than the difference being measured). Each round runs tools/bench/pytorch.py and
// `pnpm bench --system rnnkit` over the same workloads and modes, one process each, in an order that
// alternates by round (PyTorch first, then rnnkit first; rnnkit's backends forwards, then
// backwards), so no side is always the one measured later; the ratio is taken within each round and
// the summary reports its median, min and max over the rounds. (Pairs of single-row processes were
// tried: PyTorch's short rows run up to 2.5× slower as the first row of a fresh process.)
//
//   node tools/bench/rounds.mjs [--rounds 5] [--workload lstm-h256,gru-h256,rnn-h256] [--mode train,infer]
//                               [--backend wasm-simd,wasm-relaxed] [--max-seconds 10] [--verbose]
//
// stdout: every row's JSON line as the two tools print it (with "round"), then one summary line per
// backend, workload and mode: {"kind":"rounds","backend":…,"workload":…,"mode":…,"rounds":N,
// "ratio":{"median","min","max"},"rnnkit_tokens_per_s":{…},"pytorch_tokens_per_s":{…}}.
// stderr: each pair's ratios (with --verbose, the two tools' own progress too), then a table of the
// summaries. Feed stdout to tools/bench/table.mjs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    workload: { type: 'string', default: 'lstm-h256,gru-h256,rnn-h256' },
    mode: { type: 'string', default: 'train,infer' },
    backend: { type: 'string', default: 'wasm-simd,wasm-relaxed' },
    'max-seconds': { type: 'string', default: '10' },
    python: { type: 'string', default: '/usr/bin/python3' },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got '${values.rounds}'`);

/** Runs a command from the repository root; returns the JSON lines of its stdout. */
function jsonLines(cmd, args) {
  const stdio = ['ignore', 'pipe', values.verbose ? 'inherit' : 'pipe'];
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}\n${r.stderr ?? ''}`);
  return r.stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

const perKey = new Map(); // backend/workload/mode → { ratio: [], rnnkit: [], pytorch: [] }
const backends = values.backend.split(',');
for (let i = 0; i < rounds; i++) {
  process.stderr.write(`rounds: ${i + 1}/${rounds} at ${new Date().toISOString().slice(11, 19)} UTC\n`);
  const runTorch = () => jsonLines(values.python, ['tools/bench/pytorch.py', '--workload', values.workload, '--mode', values.mode]);
  const order = i % 2 ? [...backends].reverse() : backends;
  const runOurs = () => jsonLines('pnpm', ['bench', '--system', 'rnnkit', '--backend', order.join(','), '--workload', values.workload,
    '--mode', values.mode, '--max-seconds', values['max-seconds']]);
  const [first, second] = i % 2 ? [runOurs(), runTorch()] : [runTorch(), runOurs()];
  const [torch, ours] = i % 2 ? [second, first] : [first, second];
  for (const line of [...first, ...second]) process.stdout.write(`${JSON.stringify({ ...line, round: i + 1 })}\n`);
  const yardstick = new Map(torch.map((t) => [`${t.workload}/${t.mode}`, t.tokens_per_s.median]));
  for (const r of ours) {
    const base = yardstick.get(`${r.workload}/${r.mode}`);
    if (base === undefined) throw new Error(`pytorch.py printed no ${r.workload} ${r.mode} row`);
    const key = `${r.backend}/${r.workload}/${r.mode}`;
    const k = perKey.get(key) ?? { ratio: [], rnnkit: [], pytorch: [] };
    k.ratio.push(r.tokens_per_s.median / base);
    k.rnnkit.push(r.tokens_per_s.median);
    k.pytorch.push(base);
    perKey.set(key, k);
    process.stderr.write(`  ${key}: ${(r.tokens_per_s.median / base).toFixed(3)}× (${Math.round(r.tokens_per_s.median)} / ${Math.round(base)} tokens/s)\n`);
  }
}

process.stderr.write('\n| backend | workload | mode | × PyTorch median | min | max | rnnkit tokens/s median | PyTorch tokens/s median |\n|---|---|---|---|---|---|---|---|\n');
for (const [key, k] of perKey) {
  const [backend, workload, mode] = key.split('/');
  const line = { kind: 'rounds', backend, workload, mode, rounds: k.ratio.length, ratio: stats(k.ratio), rnnkit_tokens_per_s: stats(k.rnnkit), pytorch_tokens_per_s: stats(k.pytorch) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  const f = (x) => x.toFixed(3);
  process.stderr.write(`| ${backend} | ${workload} | ${mode} | ${f(line.ratio.median)} | ${f(line.ratio.min)} | ${f(line.ratio.max)} | ${Math.round(line.rnnkit_tokens_per_s.median)} | ${Math.round(line.pytorch_tokens_per_s.median)} |\n`);
}
