// Turns bench JSON lines (pnpm bench and tools/bench/pytorch.py output, concatenated) into the
// markdown tables of docs/benchmarks.md, with ratios against PyTorch's tokens/s per workload and mode.
//   node tools/bench/table.mjs results.jsonl [more.jsonl ...]
import fs from 'node:fs';

const rows = process.argv
  .slice(2)
  .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
  .filter((l) => l.trim().startsWith('{'))
  .map((l) => JSON.parse(l));

const name = (r) => (r.system === 'rnnkit' ? `rnnkit (${r.backend})` : r.system);
const fmt = (x, d = 0) => (x === null || x === undefined ? '—' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const mib = (b) => (b === null || b === undefined ? '—' : fmt(b / 2 ** 20, 1));

const throughput = rows.filter((r) => r.T === undefined);
const torch = new Map(throughput.filter((r) => r.system === 'pytorch').map((r) => [`${r.workload}/${r.mode}`, r.tokens_per_s.median]));
const out = [];
out.push('| workload | mode | system | threads | tokens/s median | min | max | GFLOP/s | runs | peak MiB | × PyTorch |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|');
const order = ['lstm-h256', 'gru-h256', 'rnn-h256', 'lstm-h512', 'lstm-h256-small'];
const sorted = [...throughput].sort(
  (a, b) => order.indexOf(a.workload) - order.indexOf(b.workload) || (a.mode === b.mode ? 0 : a.mode === 'train' ? -1 : 1) || b.tokens_per_s.median - a.tokens_per_s.median,
);
for (const r of sorted) {
  const base = torch.get(`${r.workload}/${r.mode}`);
  const ratio = base ? fmt(r.tokens_per_s.median / base, 3) : '—';
  out.push(
    `| ${r.workload} | ${r.mode} | ${name(r)}${r.adapter ? ` (${r.adapter})` : ''} | ${r.threads} | ${fmt(r.tokens_per_s.median)} | ${fmt(r.tokens_per_s.min)} | ${fmt(r.tokens_per_s.max)} | ${fmt(r.gflops_median, 2)} | ${r.runs} | ${mib(r.peak_bytes)} | ${ratio} |`,
  );
}
const scaling = rows.filter((r) => r.T !== undefined);
if (scaling.length) {
  out.push('', '| backend | T | bptt | µs/token | tokens/s | runs | peak MiB |', '|---|---|---|---|---|---|---|');
  const kinds = ['full', 'truncated', 'checkpointed'];
  for (const r of [...scaling].sort((a, b) => a.backend.localeCompare(b.backend) || a.T - b.T || kinds.indexOf(a.bptt) - kinds.indexOf(b.bptt)))
    out.push(`| ${r.backend} | ${r.T} | ${r.bptt} | ${fmt(r.us_per_token, 1)} | ${fmt(r.tokens_per_s.median)} | ${r.runs} | ${mib(r.peak_bytes)} |`);
}
console.log(out.join('\n'));
