// Interleaved rounds against the PyTorch yardstick, for machines whose speed drifts (shared VMs run
// the same code 30–40 % slower for tens of seconds at a time, so two rows minutes apart can disagree
// by more than the difference being measured). Each round measures every workload and mode as a
// pair of neighbouring runs, tools/bench/pytorch.py and `pnpm bench --system rnnkit`, in an order
// that alternates from pair to pair (and rnnkit's backends in an order that alternates by round), so
// neither side is always measured first or later in a busy stretch; the ratio is taken within each
// pair, and the summary reports its median, min and max over the rounds.
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
const workloads = values.workload.split(',');
const modes = values.mode.split(',');
const backends = values.backend.split(',');
let pair = 0;
for (let i = 0; i < rounds; i++) {
  process.stderr.write(`rounds: ${i + 1}/${rounds} at ${new Date().toISOString().slice(11, 19)} UTC\n`);
  const order = i % 2 ? [...backends].reverse() : backends;
  for (const workload of workloads) {
    for (const mode of modes) {
      const runTorch = () => jsonLines(values.python, ['tools/bench/pytorch.py', '--workload', workload, '--mode', mode]);
      const runOurs = () => jsonLines('pnpm', ['bench', '--system', 'rnnkit', '--backend', order.join(','), '--workload', workload, '--mode', mode,
        '--max-seconds', values['max-seconds']]);
      const torchFirst = pair++ % 2 === 0;
      const first = torchFirst ? runTorch() : runOurs();
      const second = torchFirst ? runOurs() : runTorch();
      const [torch, ours] = torchFirst ? [first, second] : [second, first];
      for (const line of [...first, ...second]) process.stdout.write(`${JSON.stringify({ ...line, round: i + 1 })}\n`);
      const base = torch.find((t) => t.workload === workload && t.mode === mode)?.tokens_per_s.median;
      if (base === undefined) throw new Error(`pytorch.py printed no ${workload} ${mode} row`);
      for (const r of ours) {
        const key = `${r.backend}/${r.workload}/${r.mode}`;
        const k = perKey.get(key) ?? { ratio: [], rnnkit: [], pytorch: [] };
        k.ratio.push(r.tokens_per_s.median / base);
        k.rnnkit.push(r.tokens_per_s.median);
        k.pytorch.push(base);
        perKey.set(key, k);
        process.stderr.write(`  ${key}: ${(r.tokens_per_s.median / base).toFixed(3)}× (${Math.round(r.tokens_per_s.median)} / ${Math.round(base)} tokens/s)\n`);
      }
    }
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
