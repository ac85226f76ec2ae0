// Interleaved rounds against the PyTorch yardstick, for machines whose speed drifts (shared VMs run
// the same code 30–40 % slower for tens of seconds at a time, so two rows minutes apart can disagree
// by more than the difference being measured). Each round runs tools/bench/pytorch.py, then
// `pnpm bench --system rnnkit` on the same workloads and modes; a ratio is taken within each round
// and the summary reports its median, min and max over the rounds.
//
//   node tools/bench/rounds.mjs [--rounds 5] [--workload lstm-h256,gru-h256,rnn-h256] [--mode train,infer]
//                               [--backend wasm-simd,wasm-relaxed] [--max-seconds 10]
//
// stdout: every row's JSON line as the two tools print it, then one summary line per backend,
// workload and mode: {"kind":"rounds","backend":…,"workload":…,"mode":…,"rounds":N,
// "ratio":{"median","min","max"},"rnnkit_tokens_per_s":{…},"pytorch_tokens_per_s":{…}}.
// stderr: progress and a table of the summaries. Feed stdout to tools/bench/table.mjs.
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
  },
  strict: true,
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got '${values.rounds}'`);

/** Runs a command from the repository root; returns the JSON lines of its stdout (stderr passes through). */
function jsonLines(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  return r.stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

const perKey = new Map(); // backend/workload/mode → { ratio: [], rnnkit: [], pytorch: [] }
for (let i = 0; i < rounds; i++) {
  process.stderr.write(`rounds: ${i + 1}/${rounds} at ${new Date().toISOString().slice(11, 19)} UTC\n`);
  const torch = jsonLines(values.python, ['tools/bench/pytorch.py', '--workload', values.workload, '--mode', values.mode]);
  const ours = jsonLines('pnpm', ['bench', '--system', 'rnnkit', '--backend', values.backend, '--workload', values.workload, '--mode', values.mode,
    '--max-seconds', values['max-seconds']]);
  for (const line of [...torch, ...ours]) process.stdout.write(`${JSON.stringify({ ...line, round: i + 1 })}\n`);
  const yardstick = new Map(torch.map((t) => [`${t.workload}/${t.mode}`, t.tokens_per_s.median]));
  for (const r of ours) {
    const base = yardstick.get(`${r.workload}/${r.mode}`);
    if (base === undefined) continue;
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
