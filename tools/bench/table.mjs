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

const throughput = rows.filter((r) => r.T === undefined && r.kind === undefined);
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
const scaling = rows.filter((r) => r.T !== undefined && r.kind === undefined);
if (scaling.length) {
  out.push('', '| backend | T | bptt | µs/token | tokens/s | runs | peak MiB |', '|---|---|---|---|---|---|---|');
  const kinds = ['full', 'truncated', 'checkpointed'];
  for (const r of [...scaling].sort((a, b) => a.backend.localeCompare(b.backend) || a.T - b.T || kinds.indexOf(a.bptt) - kinds.indexOf(b.bptt)))
    out.push(`| ${r.backend} | ${r.T} | ${r.bptt} | ${fmt(r.us_per_token, 1)} | ${fmt(r.tokens_per_s.median)} | ${r.runs} | ${mib(r.peak_bytes)} |`);
}
// GEMM-ceiling rows (pnpm bench --gemm): each product's GFLOP/s per backend, then the ceiling per mode.
const gemms = rows.filter((r) => r.kind === 'gemm');
if (gemms.length) {
  const backends = [...new Set(gemms.map((r) => r.backend))];
  out.push('', `| workload | product | M×K×N | variant | packed per call | calls per batch (infer / train) | ${backends.map((b) => `${b} GFLOP/s`).join(' | ')} |`);
  out.push(`|---|---|---|---|---|---|${backends.map(() => '---').join('|')}|`);
  const seen = new Set();
  for (const r of gemms) {
    const key = `${r.workload}/${r.gemm}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const per = backends.map((b) => fmt(gemms.find((g) => g.backend === b && `${g.workload}/${g.gemm}` === key)?.gflops.median, 1));
    out.push(`| ${r.workload} | ${r.gemm} | ${r.M}×${r.K}×${r.N} | ${r.variant} | ${r.pack_each_call ? 'yes' : 'no'} | ${r.per_batch.infer} / ${r.per_batch.train} | ${per.join(' | ')} |`);
  }
  const ceilings = rows.filter((r) => r.kind === 'gemm-ceiling');
  out.push('', '| workload | mode | backend | GEMM ms per batch | ceiling tokens/s | GFLOP/s | end-to-end tokens/s | end-to-end ÷ ceiling | × PyTorch at the ceiling |', '|---|---|---|---|---|---|---|---|---|');
  for (const c of ceilings) {
    const e2e = throughput.find((r) => r.system === 'rnnkit' && r.backend === c.backend && r.workload === c.workload && r.mode === c.mode);
    const base = torch.get(`${c.workload}/${c.mode}`);
    out.push(
      `| ${c.workload} | ${c.mode} | ${c.backend} | ${fmt(c.gemm_ms_per_batch, 1)} | ${fmt(c.tokens_per_s)} | ${fmt(c.gflops, 1)} | ${e2e ? fmt(e2e.tokens_per_s.median) : '—'} | ${e2e ? fmt(e2e.tokens_per_s.median / c.tokens_per_s, 2) : '—'} | ${base ? fmt(c.tokens_per_s / base, 2) : '—'} |`,
    );
  }
}
console.log(out.join('\n'));
