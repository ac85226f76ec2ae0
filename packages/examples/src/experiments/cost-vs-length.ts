// The seed's claim "training cost is O(T) in time and memory, and truncated BPTT manages long
// sequences", measured: time per token and peak backend memory of one training step over a
// sequence of T = 100, 1000, 10000 steps, by full BPTT, truncated BPTT (k1 = k2 = 100) and
// checkpointed full BPTT (segments of √T). Workload of BENCHMARKS.md §Sequence-length scaling:
// LSTM I = 128, H = 256, B = 32, a linear head H → V = 128 on every step, softmax cross-entropy
// against random targets, Adam (lr 1e-3). Inputs are uploaded per window/segment from host arrays
// (the WindowLoss callback), with the head and loss inside each segment.
//
// Run: pnpm --filter @rnnkit/examples experiment:cost [--T 100,1000,10000] [--batch 32] [--hidden 256]
//        [--modes full,truncated,checkpointed] [--repeats 2] [--backend cpu|wasm] [--out DIR]
//      … experiment:cost --replot   redraws the .md and .svg from the last run's .json.
// Writes docs/experiments/cost-vs-length.{svg,md,json}; progress on stderr.
import { segmentedBptt, truncatedBptt, scan, type Window } from '@rnnkit/bptt';
import { lstm, type LstmParams } from '@rnnkit/cells';
import { linear, softmaxCrossEntropy, type LinearParams } from '@rnnkit/nn';
import { adam, applyUpdates, disposeState } from '@rnnkit/optim';
import { add, createRng, narrow, scope, tensor, type Backend, type CellState, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { performance } from 'node:perf_hooks';
import { OUT_DIR, chooseBackend, intFlag, listFlag, log, machine, parseFlags, seconds, writeOutput } from './common.js';
import { lineChart, type LineSeries } from '@rnnkit/diagnostics';
import { readFileSync } from 'node:fs';
import path from 'node:path';

type Mode = 'full' | 'truncated' | 'checkpointed';
const MODES: readonly Mode[] = ['full', 'truncated', 'checkpointed'];

type Params = { cell: LstmParams; head: LinearParams };

interface Shape {
  readonly I: number;
  readonly H: number;
  readonly B: number;
  readonly V: number;
  readonly k: number;
}

interface Row {
  readonly T: number;
  readonly mode: Mode;
  /** Steps per segment (full, checkpointed) or per window (truncated). */
  readonly segment: number;
  /** Wall time of each timed step. */
  readonly stepSeconds: number[];
  /** CPU time of this process during each timed step (the machine may be shared). */
  readonly cpuSeconds: number[];
  readonly medianSeconds: number;
  readonly medianCpuSeconds: number;
  /** CPU µs per token (median step CPU time / B·T). */
  readonly usPerToken: number;
  readonly wallUsPerToken: number;
  readonly peakBytes: number;
  /** Bytes live before the step: parameters and Adam state. */
  readonly baseBytes: number;
  readonly loss: number;
}

/** Deterministic host data: inputs ~ N(0, 1) [T, B, I] and targets in [0, V) [T, B], time-major. */
function hostData(T: number, s: Shape): { x: Float32Array; y: Int32Array } {
  const rng = createRng(1234);
  const x = new Float32Array(T * s.B * s.I);
  for (let i = 0; i < x.length; i++) x[i] = rng.nextNormal();
  const y = new Int32Array(T * s.B);
  for (let i = 0; i < y.length; i++) y[i] = rng.nextUint32() % s.V;
  return { x, y };
}

/** A fresh model (seed 42) and Adam; `update` applies one Adam step and frees the gradients. */
function makeModel(be: Backend, s: Shape) {
  const rng = createRng(42);
  const cell = lstm({ inputSize: s.I, hiddenSize: s.H });
  const head = linear({ inputSize: s.H, outputSize: s.V });
  let params: Params = { cell: cell.init(rng, be), head: head.init(rng, be) };
  const opt = adam(1e-3);
  let optState = opt.init(params);
  return {
    cell,
    head,
    params: () => params,
    update(grads: ParamTree): void {
      const [updates, next] = opt.update(grads, optState, params);
      params = applyUpdates(params, updates, { donate: true });
      disposeState([optState, grads]);
      optState = next;
    },
    dispose(): void {
      disposeState([optState, params]);
    },
  };
}

/** One training step over the whole sequence by `mode`; returns the loss (summed over windows). */
function trainStep(be: Backend, model: ReturnType<typeof makeModel>, mode: Mode, T: number, s: Shape, data: { x: Float32Array; y: Int32Array }): { loss: Tensor; segment: number } {
  const { I, B } = s;
  // The head and the loss run inside the window, so only a scalar and the state leave it.
  const windowLoss = (p: Params, win: Window, state: CellState): readonly [Tensor, CellState] =>
    scope(() => {
      const len = win.end - win.start;
      const xs = tensor(be, data.x.subarray(win.start * B * I, win.end * B * I), [len, B, I], 'f32');
      const ys = tensor(be, data.y.subarray(win.lossStart * B, win.end * B), [win.end - win.lossStart, B], 'i32');
      const out = scan(model.cell, p.cell, xs, { initialState: state as { h: Tensor; c: Tensor } });
      const logits = model.head.apply(p.head, out.ys); // [len, B, V]
      const from = win.lossStart - win.start;
      const counted = from > 0 ? narrow(logits, 0, from, len - from) : logits;
      return [softmaxCrossEntropy(counted, ys), out.state] as const;
    });
  const initialState = model.cell.zeroState(B, be);
  try {
    if (mode === 'truncated') {
      let total: Tensor | undefined;
      const final = truncatedBptt<Params, CellState>({
        length: T,
        k1: s.k,
        k2: s.k,
        initialState,
        loss: windowLoss,
        params: model.params,
        update: (grads, l) => {
          model.update(grads);
          const sum = total ? add(total, l) : l.retain();
          total?.dispose();
          total = sum;
        },
      });
      disposeState(final);
      return { loss: total!, segment: s.k };
    }
    // Full BPTT also goes segment by segment (inputs uploaded per segment); the tape keeps them all.
    const segment = mode === 'full' ? Math.min(s.k, T) : Math.max(1, Math.round(Math.sqrt(T)));
    const r = segmentedBptt<Params, CellState>(model.params(), { length: T, segment, mode, initialState, loss: windowLoss });
    model.update(r.grads);
    disposeState(r.state);
    return { loss: r.value, segment };
  } finally {
    disposeState(initialState);
  }
}

async function measure(be: Backend, mode: Mode, T: number, s: Shape, data: { x: Float32Array; y: Int32Array }, warmups: number, runs: number, label: string): Promise<Row> {
  const model = makeModel(be, s);
  try {
    const stepSeconds: number[] = [];
    const cpuSeconds: number[] = [];
    let peakBytes = 0;
    let baseBytes = 0;
    let loss = NaN;
    let segment = 0;
    for (let i = 0; i < warmups + runs; i++) {
      const timed = i >= warmups;
      process.stderr.write(`  ${label}: ${timed ? `step ${i - warmups + 1}/${runs}` : 'warm-up'} ...`);
      baseBytes = be.stats().bytes;
      be.resetPeak();
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = trainStep(be, model, mode, T, s, data);
      loss = (await r.loss.item()) / Math.ceil(T / r.segment); // the mean over windows of each window's mean
      const dt = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      const dc = (cpu.user + cpu.system) / 1e6;
      r.loss.dispose();
      segment = r.segment;
      if (!Number.isFinite(loss)) throw new Error(`${label}: the loss is ${loss}`);
      if (timed) {
        stepSeconds.push(dt);
        cpuSeconds.push(dc);
        peakBytes = Math.max(peakBytes, be.stats().peakBytes);
      }
      process.stderr.write(` ${dt.toFixed(2)} s wall, ${dc.toFixed(2)} s CPU, peak ${(be.stats().peakBytes / 2 ** 20).toFixed(1)} MiB\n`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    const medianSeconds = median(stepSeconds);
    const medianCpuSeconds = median(cpuSeconds);
    return {
      T, mode, segment, stepSeconds, cpuSeconds, medianSeconds, medianCpuSeconds, usPerToken: (medianCpuSeconds / (T * s.B)) * 1e6,
      wallUsPerToken: (medianSeconds / (T * s.B)) * 1e6, peakBytes, baseBytes, loss,
    };
  } finally {
    model.dispose();
  }
}

const MiB = (b: number) => b / 2 ** 20;

function ratio(rows: readonly Row[], mode: Mode, field: (r: Row) => number, Ta: number, Tb: number): number | undefined {
  const a = rows.find((r) => r.mode === mode && r.T === Ta);
  const b = rows.find((r) => r.mode === mode && r.T === Tb);
  return a && b ? field(b) / field(a) : undefined;
}

function report(rows: readonly Row[], s: Shape, info: { machine: string; command: string; wallMs: number; reduced: boolean; repeats: number }): string {
  const Ts = [...new Set(rows.map((r) => r.T))].sort((a, b) => a - b);
  const act = (r: Row) => r.peakBytes - r.baseBytes;
  const lines: string[] = [];
  lines.push('# Cost of a training step versus sequence length');
  lines.push('');
  lines.push('The seed says a training step over a sequence of length T costs O(T) time (T forward and T backward');
  lines.push('steps) and O(T) memory (BPTT stores every step\'s intermediate state), and that truncated BPTT is the');
  lines.push('way to manage long sequences. This measures it, and adds gradient checkpointing (exact full-BPTT');
  lines.push('gradients in O(√T) memory for a second forward pass).');
  lines.push('');
  lines.push(`Workload (${info.reduced ? '**reduced batch/sizes, see below**' : 'as in `shared/design/BENCHMARKS.md` §Sequence-length scaling'}): one LSTM layer, I = ${s.I}, **H = ${s.H}, B = ${s.B}**,`);
  lines.push(`a linear head H → V = ${s.V} on every step, softmax cross-entropy against random targets, Adam (lr 1e-3).`);
  if (info.reduced)
    lines.push(
      '',
      `**Reduced sizes:** BENCHMARKS.md specifies I = 128, H = 256, B = 32, V = 128, k = 100; this run used I = ${s.I}, H = ${s.H}, B = ${s.B}, V = ${s.V}, k = ${s.k} ` +
        '(`--hidden`/`--batch`/… flags) so that the T = 10000 rows finish in minutes on the machine below. The shape of each curve (how cost grows with T) ' +
        'is not expected to depend on these sizes; the absolute numbers do (the recurrent GEMMs scale with B·H², activation memory with B·(H + V)).',
      '',
    );
  lines.push('Inputs (random normal, fixed seed) are uploaded per segment inside the `WindowLoss` callback, with the');
  lines.push('head and loss computed inside each segment, so the backend only ever holds what the tape keeps.');
  lines.push('');
  lines.push(`- **full**: \`segmentedBptt(..., { mode: 'full', segment: ${s.k} })\`: one backward over the whole sequence; every activation is kept.`);
  lines.push(`- **truncated**: \`truncatedBptt({ k1: ${s.k}, k2: ${s.k} })\`: the state is carried across windows of ${s.k} steps and detached; one Adam update per window (T/${s.k} updates per "step").`);
  lines.push('- **checkpointed**: `segmentedBptt(..., { mode: \'checkpointed\' })` with segments of round(√T) steps: only the segment-boundary states are kept; each segment is recomputed in the backward.');
  lines.push('');
  lines.push('Time is the median **CPU time** of this (single-threaded) process over a whole training step (forward, backward,');
  lines.push('optimiser, loss read back), divided by B·T tokens. CPU time rather than wall time because the machine was shared with');
  lines.push('other jobs during the run (load average well above its core count), which inflates wall times by an uneven factor;');
  lines.push('wall times are in the table too, and in `cost-vs-length.json`.');
  lines.push('Memory is the backend\'s `stats().peakBytes` during the step, `resetPeak()` called once parameters and Adam state exist;');
  lines.push('"above base" subtracts what was live before the step (parameters + Adam moments).');
  lines.push('');
  lines.push('| T | BPTT | segment / window | step CPU s | CPU µs / token | step wall s | peak MiB | above base MiB | loss / token |');
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const T of Ts)
    for (const mode of MODES) {
      const r = rows.find((x) => x.T === T && x.mode === mode);
      if (!r) continue;
      lines.push(`| ${T} | ${mode} | ${r.segment} | ${r.medianCpuSeconds.toFixed(3)} | ${r.usPerToken.toFixed(2)} | ${r.medianSeconds.toFixed(2)} | ${MiB(r.peakBytes).toFixed(1)} | ${MiB(act(r)).toFixed(1)} | ${r.loss.toFixed(3)} |`);
    }
  lines.push('');
  lines.push('![time per token and peak memory versus T](cost-vs-length.svg)');
  lines.push('');
  lines.push('## What it shows');
  lines.push('');
  const lo = Ts[0]!;
  const hi = Ts[Ts.length - 1]!;
  const f = (v: number | undefined, digits = 1) => (v === undefined ? 'n/a' : `${v.toFixed(digits)}×`);
  lines.push(`Ratios from T = ${lo} to T = ${hi} (T grows ${hi / lo}×, √T grows ${Math.sqrt(hi / lo).toFixed(1)}×):`);
  lines.push('');
  lines.push('| BPTT | memory above base | peak memory | step CPU time | CPU time per token |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const mode of MODES)
    lines.push(
      `| ${mode} | ${f(ratio(rows, mode, act, lo, hi))} | ${f(ratio(rows, mode, (r) => r.peakBytes, lo, hi))} | ${f(ratio(rows, mode, (r) => r.medianCpuSeconds, lo, hi))} | ${f(ratio(rows, mode, (r) => r.usPerToken, lo, hi), 2)} |`,
    );
  lines.push('');
  lines.push('@@CONCLUSIONS@@');
  lines.push('');
  lines.push('## Reproduce');
  lines.push('');
  lines.push('```sh');
  lines.push(info.command);
  lines.push('```');
  lines.push('');
  lines.push(`Machine: ${info.machine}.`);
  lines.push(`Timed steps per row: ${info.repeats} after one warm-up for T < 10000; one step, no warm-up, at T ≥ 10000.`);
  lines.push(`Total runtime: ${seconds(info.wallMs)}. Raw numbers: \`cost-vs-length.json\`.`);
  lines.push('');
  return lines.join('\n');
}

function chart(rows: readonly Row[], s: Shape): string {
  // x is log10 T (the chart helper has a log y axis only); memory on a log y axis: log-log.
  const series = (field: (r: Row) => number): LineSeries[] =>
    MODES.filter((m) => rows.some((r) => r.mode === m)).map((mode) => ({
      name: mode === 'truncated' ? `truncated k=${s.k}` : mode === 'checkpointed' ? 'checkpointed √T' : 'full',
      points: rows.filter((r) => r.mode === mode).sort((a, b) => a.T - b.T).map((r) => [Math.log10(r.T), field(r)] as const),
    }));
  const Ts = [...new Set(rows.map((r) => r.T))].sort((a, b) => a - b);
  const xLabel = `log10 T  (T = ${Ts.join(', ')})`;
  const size = { width: 600, height: 380 };
  // Time per token on a linear axis from 0: a flat line is O(T) time per step.
  const time = lineChart(series((r) => r.usPerToken), { ...size, title: `CPU time per token, LSTM H=${s.H} B=${s.B}`, xLabel, yLabel: 'CPU µs per token', hLines: [{ y: 0 }] });
  const mem = lineChart(series((r) => MiB(r.peakBytes)), { ...size, title: 'Peak backend memory of a training step', xLabel, yLabel: 'peak MiB', logY: true });
  // Two panels side by side in one SVG.
  const place = (svg: string, x: number) => svg.replace('<svg ', `<svg x="${x}" y="0" `);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * size.width}" height="${size.height}" viewBox="0 0 ${2 * size.width} ${size.height}"><rect width="100%" height="100%" fill="#fff"/>${place(time, 0)}${place(mem, size.width)}</svg>\n`;
}

function conclusions(rows: readonly Row[]): string {
  const Ts = [...new Set(rows.map((r) => r.T))].sort((a, b) => a - b);
  const lo = Ts[0]!;
  const hi = Ts[Ts.length - 1]!;
  const act = (r: Row) => r.peakBytes - r.baseBytes;
  const at = (mode: Mode, T: number) => rows.find((r) => r.mode === mode && r.T === T);
  const out: string[] = [];
  // Every mode has a working set that does not depend on T (one window's logits, gradients and
  // kernel temporaries), so ratios of totals understate the growth. The growth shows in the
  // increments: from T₀ to T₁ to T₂ memory that is O(T) grows by (T₂−T₁)/(T₁−T₀) times as much in
  // the second step as in the first (10× for 100, 1000, 10000), O(√T) by (√T₂−√T₁)/(√T₁−√T₀) (3.16×), O(1) not at all.
  if (Ts.length >= 3) {
    const [t0, t1, t2] = [Ts[0]!, Ts[1]!, Ts[2]!];
    const linear = (t2 - t1) / (t1 - t0);
    const sqrtRatio = (Math.sqrt(t2) - Math.sqrt(t1)) / (Math.sqrt(t1) - Math.sqrt(t0));
    out.push(`Every mode also holds a working set that does not grow with T (one window's logits, gradients, kernel temporaries), so ratios of totals understate`);
    out.push(`the growth; the increments show it. From T = ${t0} to ${t1} to ${t2}, memory that is O(T) grows ${linear.toFixed(1)}× more in the second step than in the first`);
    out.push(`(O(√T) would grow ${sqrtRatio.toFixed(2)}× more), O(1) not at all.`);
    out.push('');
    out.push(`| BPTT | memory above base at T = ${t0} / ${t1} / ${t2} (MiB) | increment ${t0}→${t1} | increment ${t1}→${t2} | ratio of increments | MiB per step (${t1}→${t2}) |`);
    out.push('|---|---:|---:|---:|---:|---:|');
    for (const mode of ['full', 'truncated'] as const) {
      const [a, b, c] = [at(mode, t0), at(mode, t1), at(mode, t2)];
      if (!a || !b || !c) continue;
      const [d1, d2] = [MiB(act(b) - act(a)), MiB(act(c) - act(b))];
      const r = Math.abs(d1) < 0.5 ? '—' : `${(d2 / d1).toFixed(2)}×`;
      out.push(`| ${mode} | ${MiB(act(a)).toFixed(1)} / ${MiB(act(b)).toFixed(1)} / ${MiB(act(c)).toFixed(1)} | ${d1.toFixed(1)} | ${d2.toFixed(1)} | ${r} | ${(d2 / (t2 - t1)).toFixed(4)} |`);
    }
    out.push('');
    const [f0, f1, f2] = [at('full', t0), at('full', t1), at('full', t2)];
    if (f0 && f1 && f2) {
      const d1 = MiB(act(f1) - act(f0));
      const d2 = MiB(act(f2) - act(f1));
      out.push(`- **Full BPTT memory is O(T):** it grows by ${((d1 / (t1 - t0)) * 1024).toFixed(0)} KiB per extra step from T = ${t0} to ${t1} and ${((d2 / (t2 - t1)) * 1024).toFixed(0)} KiB per step from ${t1} to ${t2}: a straight line (ratio of increments ${(d2 / d1).toFixed(2)}× against ${linear.toFixed(0)}× for O(T)). Every step's gate activations, states and uploaded inputs stay on the tape until the backward; at T = ${t2} that is ${MiB(act(f2)).toFixed(0)} MiB.`);
    }
  }
  // Checkpointing keeps √T boundary states and, during the backward, one √T-step segment's
  // working set: about what full BPTT needs for a √T-step sequence, which is measured when √T is among the Ts.
  const ck = Ts.map((T) => [T, at('checkpointed', T), at('full', Math.round(Math.sqrt(T)))] as const).filter(([, c, f]) => c && f);
  const ckHi = at('checkpointed', hi);
  const fullHi = at('full', hi);
  if (ckHi) {
    const parts = [`- **Checkpointing brings it to about O(√T):** it keeps √T segment-boundary states (at T = ${hi}: ${Math.round(Math.sqrt(hi))} × B × 2H floats) and, in the backward, one √T-step segment's activations, so it should need about what full BPTT needs for a √T-step sequence.`];
    for (const [T, c, f] of ck) parts.push(`At T = ${T}: ${MiB(act(c!)).toFixed(1)} MiB, against ${MiB(act(f!)).toFixed(1)} MiB for full BPTT at T = ${f!.T} = √${T}${fullHi && T === hi ? ` and ${MiB(act(fullHi)).toFixed(0)} MiB for full BPTT at T = ${T} (${(act(fullHi) / act(c!)).toFixed(0)}× more)` : ''}.`);
    const small = Ts.filter((T) => T < hi).map((T) => at('checkpointed', T)).filter((r): r is Row => r !== undefined);
    if (small.length)
      parts.push(`At ${small.map((r) => `T = ${r.T} (segments of ${r.segment}: ${MiB(act(r)).toFixed(1)} MiB)`).join(' and ')} the segment is so short that the peak is set by what every step needs whatever T is (the head and loss over a segment, parameter gradients and the Adam update), not by T.`);
    out.push(parts.join(' '));
  }
  const [r0, r2] = [at('truncated', lo), at('truncated', hi)];
  if (r0 && r2 && lo !== hi)
    out.push(`- **Truncated BPTT memory is O(1) in T:** ${MiB(act(r0)).toFixed(1)} MiB at T = ${lo} and ${MiB(act(r2)).toFixed(1)} MiB at T = ${hi}: only one ${r2.segment}-step window is ever on the tape.`);
  const g = (mode: Mode, field: (r: Row) => number) => ratio(rows, mode, field, lo, hi);
  const tt = MODES.map((m) => [m, g(m, (r) => r.usPerToken)] as const).filter(([, v]) => v !== undefined);
  const st = MODES.map((m) => [m, g(m, (r) => r.medianCpuSeconds)] as const).filter(([, v]) => v !== undefined);
  if (tt.length)
    out.push(`- **Time is O(T) for all three:** from T = ${lo} to ${hi} (${hi / lo}×) the step's CPU time grows ${st.map(([m, v]) => `${v!.toFixed(0)}× (${m})`).join(', ')}; the time per token changes by ${tt.map(([m, v]) => `${v!.toFixed(2)}× (${m})`).join(', ')}. Per-token cost is flat or falls as fixed per-window overheads are spread over more tokens; most for checkpointing, whose segments are only √T = ${Math.round(Math.sqrt(lo))} steps long at T = ${lo}.`);
  const [fh, ch, th] = [at('full', hi), at('checkpointed', hi), at('truncated', hi)];
  if (fh && ch) out.push(`- Checkpointing's price at T = ${hi}: ${(ch.usPerToken / fh.usPerToken).toFixed(2)}× the CPU time per token of full BPTT (each segment's forward runs twice), for ${(fh.peakBytes / ch.peakBytes).toFixed(1)}× less peak memory, with the same exact gradient.`);
  if (fh && th) out.push(`- Truncation at T = ${hi} uses ${(fh.peakBytes / th.peakBytes).toFixed(1)}× less peak memory than full BPTT at ${(th.usPerToken / fh.usPerToken).toFixed(2)}× its time per token, but its gradient ignores dependencies longer than ${th.segment} steps (and it makes T/${th.segment} parameter updates per pass instead of one).`);
  return out.join('\n');
}

/** The command-line flags as one string, without pnpm's `--` and without the named flags (and their values). */
function flagArgs(argv: readonly string[], drop: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue;
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : '';
    if (drop.includes(name)) {
      if (!a.includes('=') && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) i++;
      continue;
    }
    out.push(a);
  }
  return out.join(' ');
}

interface Results {
  readonly shape: Shape;
  readonly machine: string;
  readonly wallSeconds: number;
  readonly repeats: number;
  /** The flags the measurement ran with. */
  readonly args: string;
  readonly rows: Row[];
}

function render(r: Results, outDir: string): void {
  const s = r.shape;
  const reduced = s.I !== 128 || s.H !== 256 || s.B !== 32 || s.V !== 128 || s.k !== 100;
  const command = `pnpm --filter @rnnkit/examples experiment:cost${r.args ? ` ${r.args}` : ''}`;
  const md = report(r.rows, s, { machine: r.machine, command, wallMs: r.wallSeconds * 1000, reduced, repeats: r.repeats }).replace('@@CONCLUSIONS@@', conclusions(r.rows));
  writeOutput('cost-vs-length.md', md, outDir);
  writeOutput('cost-vs-length.svg', chart(r.rows, s), outDir);
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), ['T', 'batch', 'hidden', 'input', 'vocab', 'k', 'modes', 'repeats', 'backend', 'out', 'replot']);
  const outDir = flags.get('out') ?? OUT_DIR;
  if (flags.has('replot')) {
    // Redraw the chart and table from the last run's cost-vs-length.json, measuring nothing.
    const saved = JSON.parse(readFileSync(path.join(outDir, 'cost-vs-length.json'), 'utf8')) as Partial<Results> & Pick<Results, 'shape' | 'machine' | 'wallSeconds' | 'rows'>;
    // A .json from before `args` was saved: take the measurement flags given alongside --replot.
    const given = flagArgs(process.argv.slice(2).filter((a) => a !== '--replot'), ['out']);
    render({ repeats: intFlag(flags, 'repeats', 2), args: given, ...saved }, outDir);
    return;
  }
  const s: Shape = { I: intFlag(flags, 'input', 128), H: intFlag(flags, 'hidden', 256), B: intFlag(flags, 'batch', 32), V: intFlag(flags, 'vocab', 128), k: intFlag(flags, 'k', 100) };
  const Ts = listFlag(flags, 'T', [100, 1000, 10000]);
  const modes = (flags.get('modes')?.split(',') ?? [...MODES]) as Mode[];
  for (const m of modes) if (!MODES.includes(m)) throw new Error(`--modes: unknown mode '${m}' (full, truncated, checkpointed)`);
  const repeats = intFlag(flags, 'repeats', 2);
  const be = await chooseBackend(flags.get('backend'));
  log(`cost vs length: LSTM I=${s.I} H=${s.H} B=${s.B} V=${s.V}, T ∈ {${Ts.join(', ')}}, modes ${modes.join(', ')}, backend '${be.name}'`);
  const start = performance.now();
  const rows: Row[] = [];
  for (const T of Ts) {
    const data = hostData(T, s);
    for (const mode of modes) {
      const t0 = performance.now();
      const row = await measure(be, mode, T, s, data, T >= 10000 ? 0 : 1, T >= 10000 ? 1 : repeats, `T=${T} ${mode}`);
      rows.push(row);
      log(`T=${T} ${mode}: ${row.usPerToken.toFixed(2)} CPU µs/token, peak ${MiB(row.peakBytes).toFixed(1)} MiB (${MiB(row.peakBytes - row.baseBytes).toFixed(1)} above base), ${seconds(performance.now() - t0)}; total ${seconds(performance.now() - start)}`);
    }
  }
  const results: Results = {
    shape: s, machine: machine(be), wallSeconds: (performance.now() - start) / 1000, repeats,
    args: flagArgs(process.argv.slice(2), ['out']), rows,
  };
  writeOutput('cost-vs-length.json', `${JSON.stringify(results, null, 1)}\n`, outDir);
  render(results, outDir);
  log(`done in ${seconds(results.wallSeconds * 1000)}`);
}

main().catch((e: unknown) => {
  log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
