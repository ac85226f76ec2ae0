/**
 * The adding problem (Hochreiter & Schmidhuber 1997; the version of Le, Jaitly & Hinton 2015) for a
 * tanh RNN, an LSTM and a GRU, with one budget stated up front and never tuned per cell:
 * H = 64, B = 64, Adam 1e-3, global clip 1, the same number of steps for every run, 3 seeds.
 * Success = test MSE < 0.05 (always answering 1 scores 2/12 ≈ 0.167). Plus a sweep of the tanh
 * RNN's recurrent init scale (W_hh = g·Q, Q orthogonal, g = 0.5, 1, 1.5) and of the LSTM's
 * forget-gate bias (0, 1, 3). Diagnostics (gradient norm by time step, Jacobian norms, gates) are
 * attached on every `--diag-every`-th step only: a tap selects the composite path, which is slower.
 *
 *   pnpm exec tsx --conditions=@rnnkit/source packages/diagnostics/scripts/adding-problem.ts [--quick]
 *     [--steps 3000] [--seeds 3] [--lags 10,50,100,200] [--sweep-lags 50,100] [--out docs/experiments/adding-problem]
 *     [--cells rnn,lstm,gru] [--no-sweep] [--only-seeds 2] [--resume] [--replot [--merge DIR,DIR]]
 *
 * The work can be split over processes (`--no-sweep`; `--cells none --out DIR` for the sweeps;
 * `--only-seeds 2 --out DIR`); `--replot --merge DIR,…` then joins them into the main folder.
 *
 * Writes results.json (after every run, so a long run can be read while it goes), README.md with
 * the table, SVG charts, and one HTML diagnostics report per cell at the longest lag (seed 0).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { valueAndGrad } from '@rnnkit/autograd';
import { scan } from '@rnnkit/bptt';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { adam, applyUpdates, chain, clipByGlobalNorm, disposeState } from '@rnnkit/optim';
import {
  add, createRng, matmul, mean, normal, orthogonal, scope, square, sub, tensor, treeDispose, zeros, type Cell, type ParamTree,
  type Rng, type StepTap, type Tensor,
} from '@rnnkit/tensor';
import {
  createDiagnostics, forgetGateProbe, gateSaturationProbe, gradientClipProbe, heatMap, jacobianProbe, lineChart, lossProbe, nonFiniteProbe,
  renderHtmlReport, stateGradNormProbe, type LineSeries,
} from '../src/index.js';

// ---------- options ----------
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const quick = flag('quick');
const H = 64;
const B = 64;
const LR = 1e-3;
const CLIP = 1;
const steps = Number(opt('steps', quick ? '150' : '3000'));
const seeds = Number(opt('seeds', quick ? '1' : '3'));
const lags = opt('lags', quick ? '10,20' : '10,50,100,200').split(',').map(Number);
const sweepLags = opt('sweep-lags', quick ? '20' : '50,100').split(',').filter(Boolean).map(Number);
const cellsWanted = opt('cells', 'rnn,lstm,gru').split(',');
const noSweep = flag('no-sweep');
/** Run only these seeds (e.g. `--only-seeds 2` in a second process); the budget still says `seeds`. */
const onlySeeds = opt('only-seeds', '').split(',').filter(Boolean).map(Number);
const diagEvery = Number(opt('diag-every', String(Math.max(1, Math.round(steps / 10)))));
const evalEvery = Number(opt('eval-every', String(Math.max(1, Math.round(steps / 30)))));
const testSize = Number(opt('test-size', quick ? '256' : '1000'));
/** Stop a run at the first evaluation whose test MSE is below the success threshold (on by default; `--no-early-stop` trains every step). */
const earlyStop = !flag('no-early-stop');
const backendName = opt('backend', 'wasm');
const resume = flag('resume');
const SUCCESS = 0.05;
const root = resolve(import.meta.dirname, '../../..');
const out = resolve(root, opt('out', quick ? 'docs/experiments/adding-problem/quick' : 'docs/experiments/adding-problem'));
mkdirSync(out, { recursive: true });

const be = backendName === 'cpu' ? createCpuBackend({ dtypes: ['f32'] }) : createWasmBackend({ dtypes: ['f32'] });
const backendLabel = backendName === 'cpu' ? 'the reference CPU backend' : `the WebAssembly backend (@rnnkit/backend-wasm, SIMD: ${(be as ReturnType<typeof createWasmBackend>).simd})`;
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

// ---------- data ----------
/** xs: [T, n, 2] (value in [0, 1), marker 0/1 at one step in each half); y: [n, 1] the sum of the two marked values. */
function addingBatch(rng: Rng, T: number, n: number): { xs: Tensor; y: Tensor } {
  const x = new Float32Array(T * n * 2);
  const y = new Float32Array(n);
  const half = Math.floor(T / 2);
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < T; t++) x[(t * n + b) * 2] = rng.nextFloat();
    const i = Math.floor(rng.nextFloat() * half);
    const j = half + Math.floor(rng.nextFloat() * (T - half));
    x[(i * n + b) * 2 + 1] = 1;
    x[(j * n + b) * 2 + 1] = 1;
    y[b] = x[(i * n + b) * 2]! + x[(j * n + b) * 2]!;
  }
  return { xs: tensor(be, x, [T, n, 2], 'f32'), y: tensor(be, y, [n, 1], 'f32') };
}

// ---------- model ----------
interface Variant {
  readonly name: string;
  readonly cellName: 'rnn' | 'lstm' | 'gru';
  readonly make: () => Cell;
  /** Adjusts the initial parameters (the RNN scale sweep). */
  readonly init?: (p: ParamTree, rng: Rng) => ParamTree;
}
type Model = { cell: ParamTree; head: { w: Tensor; b: Tensor } };

function rnnScaled(g: number): Variant {
  return {
    name: `rnn W_hh=${g}·orthogonal`,
    cellName: 'rnn',
    make: () => rnn({ inputSize: 2, hiddenSize: H }),
    init: (p, rng) => {
      const q = p as Record<string, Tensor>;
      q['weight_hh']!.dispose();
      return { ...q, weight_hh: orthogonal(rng, be, [H, H], g) };
    },
  };
}
const main: Variant[] = [
  { name: 'rnn', cellName: 'rnn' as const, make: () => rnn({ inputSize: 2, hiddenSize: H }) },
  { name: 'lstm', cellName: 'lstm' as const, make: () => lstm({ inputSize: 2, hiddenSize: H }) },
  { name: 'gru', cellName: 'gru' as const, make: () => gru({ inputSize: 2, hiddenSize: H }) },
].filter((v) => cellsWanted.includes(v.cellName));
const sweep: Variant[] = noSweep
  ? []
  : [
      rnnScaled(0.5), rnnScaled(1), rnnScaled(1.5),
      ...[1, 3].map((fb) => ({ name: `lstm forgetBias=${fb}`, cellName: 'lstm' as const, make: () => lstm({ inputSize: 2, hiddenSize: H, forgetBias: fb }) })),
    ];

function lossOf(cell: Cell, p: Model, xs: Tensor, y: Tensor, tap?: StepTap): Tensor {
  const r = scan(cell, p.cell, xs, tap ? { tap } : {});
  const pred = add(matmul(r.state['h']!, p.head.w), p.head.b);
  const l = mean(square(sub(pred, y)));
  disposeState([r.ys, r.state, pred]);
  return l;
}

// ---------- one run ----------
interface Run {
  variant: string;
  cell: string;
  T: number;
  seed: number;
  /** Training steps actually taken (≤ the budget; fewer when early stopping hit the success threshold). */
  steps: number;
  /** The first step at which the test MSE was below the threshold; null when it never was. */
  solvedAt: number | null;
  seconds: number;
  finalTestMse: number;
  success: boolean;
  testCurve: [number, number][];
  /** ‖∂L/∂s_t‖ / ‖∂L/∂s_{T−1}‖ by t at each probed step. */
  gradNorms: { step: number; relative: (number | null)[]; verdict: string | null; logSlope: number | null; horizon: number | null }[];
  jacobian: { step: number; geometricMean: number | null; sufficientForVanishing: boolean }[];
  forgetTimescale: { step: number; gate: string; mean: number; timescale: number | null }[];
  saturation: { step: number; gates: Record<string, number> }[];
  clippedFraction: number | null;
  nonFinite: string | null;
}

async function runOne(v: Variant, T: number, seed: number, writeReport: boolean): Promise<Run> {
  const started = performance.now();
  const rng = createRng(1000 * seed + 7);
  const dataRng = rng.fork('data');
  const testRng = createRng(424242 + T).fork('test'); // the same test set for every cell and seed
  const cell = v.make();
  let params: Model = { cell: cell.init(rng, be), head: { w: normal(rng, be, [H, 1], 0, 1 / Math.sqrt(H)), b: zeros(be, [1]) } };
  if (v.init) params = { ...params, cell: v.init(params.cell, rng) };
  const opt = chain(clipByGlobalNorm(CLIP), adam(LR));
  let state = opt.init(params);
  const test = addingBatch(testRng, T, testSize);
  const evaluate = async () => {
    const l = scope(() => lossOf(cell, params, test.xs, test.y));
    const value = (await l.read())[0]!;
    l.dispose();
    return value;
  };
  const diag = createDiagnostics(
    {
      loss: lossProbe(),
      grads: stateGradNormProbe({ every: diagEvery }),
      jacobian: jacobianProbe({ cell, params: (p) => (p as Model).cell, rng, every: diagEvery, rows: 4, iterations: 20, timeStride: Math.max(1, Math.round(T / 50)) }),
      gates: gateSaturationProbe({ every: diagEvery }),
      forget: forgetGateProbe({ every: diagEvery }),
      clip: gradientClipProbe({ maxNorm: CLIP }),
      nan: nonFiniteProbe({ every: diagEvery }),
    },
    { task: `adding problem, T = ${T}`, model: `${v.name}, H = ${H}`, optimiser: `Adam ${LR}, global clip ${CLIP}, B = ${B}`, seed },
  );
  const testCurve: [number, number][] = [];
  let solvedAt: number | null = null;
  let taken = 0;
  for (let i = 0; i < steps; i++) {
    if (i % evalEvery === 0) {
      const mse = await evaluate();
      testCurve.push([i, mse]);
      if (mse < SUCCESS && solvedAt === null) solvedAt = i;
      if (earlyStop && solvedAt !== null) break;
    }
    const { xs, y } = addingBatch(dataRng, T, B);
    const tap = i % diagEvery === 0 ? diag.tap : undefined; // a tap selects the composite path: only on probed steps
    const { value, grads } = valueAndGrad((p: Model) => lossOf(cell, p, xs, y, tap))(params);
    const [updates, next] = opt.update(grads, state, params);
    await diag.endStep({ loss: value, params, grads, updates, gradNorm: next[0].norm, inputs: xs });
    params = applyUpdates(params, updates, { donate: true });
    disposeState([state, grads, value, xs, y]);
    state = next;
    taken = i + 1;
  }
  const finalTestMse = solvedAt !== null && earlyStop ? testCurve[testCurve.length - 1]![1] : await evaluate();
  if (!(solvedAt !== null && earlyStop)) {
    testCurve.push([taken, finalTestMse]);
    if (finalTestMse < SUCCESS) solvedAt = taken;
  }
  // One more probed forward/backward at the parameters the run ended with (no update): the
  // gradient profile of the trained model, also for runs that stopped early between probed steps.
  const fin = createDiagnostics({
    grads: stateGradNormProbe(),
    jacobian: jacobianProbe({ cell, params: (p) => (p as Model).cell, rng, rows: 4, iterations: 20, timeStride: Math.max(1, Math.round(T / 50)) }),
    forget: forgetGateProbe(),
  });
  {
    const { xs, y } = addingBatch(dataRng.fork('final-probe'), T, B);
    const { value, grads } = valueAndGrad((p: Model) => lossOf(cell, p, xs, y, fin.tap))(params);
    await fin.endStep({ loss: value, params, grads, inputs: xs });
    disposeState([grads, value, xs, y]);
  }
  const finalProbes = fin.result().probes;
  fin.dispose();
  const report = diag.result();
  diag.dispose();
  if (writeReport) {
    mkdirSync(join(out, 'reports'), { recursive: true });
    writeFileSync(join(out, 'reports', `${v.name.replace(/[^a-z0-9]+/gi, '-')}-T${T}-seed${seed}.html`), renderHtmlReport(report, { title: `Adding problem T = ${T}: ${v.name}` }));
  }
  disposeState([params, state, test]);
  const r = report.probes;
  return {
    variant: v.name,
    cell: v.cellName,
    T,
    seed,
    steps: taken,
    solvedAt,
    seconds: (performance.now() - started) / 1000,
    finalTestMse,
    success: finalTestMse < SUCCESS,
    testCurve,
    gradNorms: [...r.grads.steps, ...finalProbes.grads.steps.map((s) => ({ ...s, step: taken }))].map((s) => {
      const t = s.tracks[0]!;
      const ref = t.norm[t.lossStep] ?? null;
      return { step: s.step, relative: t.norm.map((x) => (x === null || !ref ? null : x / ref)), verdict: t.fit?.verdict ?? null, logSlope: t.fit?.logSlopePerStep ?? null, horizon: t.horizon };
    }),
    jacobian: [...r.jacobian.steps, ...finalProbes.jacobian.steps.map((s) => ({ ...s, step: taken }))].map((s) => ({ step: s.step, geometricMean: s.tracks[0]!.geometricMean, sufficientForVanishing: s.tracks[0]!.condition.sufficientForVanishing })),
    forgetTimescale: [...r.forget.steps, ...finalProbes.forget.steps.map((s) => ({ ...s, step: taken }))].flatMap((s) => Object.values(s.tracks).map((t) => ({ step: s.step, gate: t.gate, mean: t.mean, timescale: t.timescale }))),
    saturation: r.gates.steps.map((s) => ({ step: s.step, gates: Object.fromEntries(Object.entries(s.tracks['0/forward'] ?? {}).map(([k, g]) => [k, g.saturated])) })),
    clippedFraction: r.clip.clippedFraction,
    nonFinite: r.nan.first ? `${r.nan.first.phase} ${r.nan.first.tensor} t=${r.nan.first.t ?? '-'} step ${r.nan.first.step}` : null,
  };
}

// ---------- outputs ----------
function summariseMissing(missing: readonly { variant: string; T: number; seed: number }[]): string {
  const groups = new Map<string, number[]>();
  for (const m of missing) {
    const k = `${m.variant} T=${m.T}`;
    groups.set(k, [...(groups.get(k) ?? []), m.seed]);
  }
  return [...groups].map(([k, s]) => `${k} (seed ${s.join(', ')})`).join('; ');
}

function claimSummary(runs: readonly Run[]): string[] {
  const out: string[] = [];
  for (const c of ['rnn', 'lstm', 'gru']) {
    const rs = runs.filter((r) => r.variant === c);
    if (rs.length === 0) continue;
    const Ts = [...new Set(rs.map((r) => r.T))].sort((a, b) => a - b);
    out.push(
      `- ${c}: ` +
        Ts.map((T) => {
          const at = rs.filter((r) => r.T === T);
          return `T = ${T}: ${at.filter((r) => r.success).length}/${at.length} seeds`;
        }).join('; '),
    );
  }
  return out.length ? out : ['- no run of the main grid has finished yet.'];
}

let planned: { variant: string; T: number; seed: number }[] = [];
const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toPrecision(d));

function writeOutputs(runs: Run[], done: boolean): void {
  const budget = {
    H, B, optimiser: `Adam(lr=${LR})`, clip: `global norm ${CLIP}`, maxSteps: steps, earlyStop, evalEvery, diagEvery, seeds, lags, sweepLags, testSize,
    successThreshold: SUCCESS, baselineMse: 2 / 12, backend: backendLabel,
  };
  const missing = planned.filter((p) => !runs.some((r) => r.variant === p.variant && r.T === p.T && r.seed === p.seed));
  writeFileSync(join(out, 'results.json'), JSON.stringify({ budget, quick, complete: done, runs }, null, 1));
  const variants = [...new Set(runs.map((r) => r.variant))];
  const Ts = [...new Set(runs.map((r) => r.T))].sort((a, b) => a - b);
  const cell = (v: string, T: number) => {
    const rs = runs.filter((r) => r.variant === v && r.T === T).sort((a, b) => a.seed - b.seed);
    if (rs.length === 0) return '';
    return `${rs.filter((r) => r.success).length}/${rs.length} (${rs.map((r) => `s${r.seed} ${r.success ? '✓' : '✗'} ${fmt(r.finalTestMse, 2)}${r.success ? ` @${r.solvedAt}` : ''}`).join(', ')})`;
  };
  const diagRow = (v: string, T: number) => {
    const r = runs.find((x) => x.variant === v && x.T === T && x.seed === 0);
    if (!r) return null;
    const g0 = r.gradNorms[0];
    const gL = r.gradNorms[r.gradNorms.length - 1];
    const j0 = r.jacobian[0];
    const jL = r.jacobian[r.jacobian.length - 1];
    const f = r.forgetTimescale[r.forgetTimescale.length - 1];
    return `| ${v} | ${T} | ${g0?.verdict ?? '–'} (${fmt(g0?.logSlope ?? null)}) → ${gL?.verdict ?? '–'} (${fmt(gL?.logSlope ?? null)}) | ${g0?.horizon ?? '≥T'} → ${gL?.horizon ?? '≥T'} | ${fmt(j0?.geometricMean ?? null)} → ${fmt(jL?.geometricMean ?? null)} | ${f ? `${f.gate}: ${fmt(f.mean)} / ${fmt(f.timescale)}` : '–'} | ${r.clippedFraction === null ? '–' : (100 * r.clippedFraction).toFixed(0) + ' %'} | ${r.nonFinite ?? 'none'} |`;
  };
  const lines: string[] = [];
  lines.push(`# Adding problem: vanishing gradients in a tanh RNN vs gated cells${quick ? ' (quick mode)' : ''}`, '');
  lines.push(
    `Generated by \`packages/diagnostics/scripts/adding-problem.ts${quick ? ' --quick' : ''}\`${done ? '' : ' — **run still in progress or interrupted: partial results**'}.`,
    '',
    `Budget, fixed up front and identical for every cell: H = ${H}, B = ${B}, Adam(lr = ${LR}), global-norm clip ${CLIP}, at most ${steps} training steps per run, ${seeds} seed(s), ` +
      `PyTorch-default initialisation (U(−1/√H, 1/√H)) unless a sweep says otherwise, f32 on ${backendLabel}. Task: two channels (a value in [0, 1) and a marker); one marked step in each half; ` +
      `the target is the sum of the two marked values, read from h_T by a linear head. Test set: ${testSize} fixed sequences per lag (the same for every cell and seed). ` +
      `Success = test MSE < ${SUCCESS}; always answering 1 scores 2/12 ≈ 0.167.`,
    '',
    earlyStop
      ? `**Early stopping** (within the budget, not a change to it): the test MSE is measured before training step 0 and every ${evalEvery} steps; a run stops at the first ` +
          `measurement below ${SUCCESS} and counts as a success at that step (\`@step\` in the table). A run that never gets there trains all ${steps} steps and is judged on the test MSE after the last one. ` +
          'Runs that succeed therefore report the MSE at the moment they crossed the threshold, not after 3,000 steps.'
      : `Every run trains all ${steps} steps; the test MSE is measured every ${evalEvery} steps and after the last one.`,
    '',
    `Diagnostics are attached on every ${diagEvery}-th training step only (step 0, ${diagEvery}, …): the tap selects the slower composite path.`,
    '',
    '## What ran',
    '',
    `${runs.length} of ${planned.length} planned runs finished${done ? '' : ' so far'}.` +
      (missing.length === 0
        ? ''
        : ` Not run${done ? '' : ' (yet)'}: ${summariseMissing(missing)}.`),
    '',
    '## Against the seed\'s claim',
    '',
    'The claim: a plain tanh RNN fails to learn the adding problem at long lags while the gated cells (LSTM, GRU) succeed, because its gradient vanishes over time. ' +
      'Mechanical summary of the main grid (PyTorch-default init, forget bias 0):',
    '',
    ...claimSummary(runs),
    '',
    '## Success per seed (test MSE; ✓ @step = first evaluation below the threshold)',
    '',
    `| model | ${Ts.map((T) => `T = ${T}`).join(' | ')} |`,
    `|---|${Ts.map(() => '---').join('|')}|`,
    ...variants.map((v) => `| ${v} | ${Ts.map((T) => cell(v, T)).join(' | ')} |`),
    '',
    '## Diagnostics (seed 0; at initialisation (step 0) → end of the run (a probe at the final parameters))',
    '',
    'Verdict and log-slope per step of ‖∂L/∂s_t‖ going back from the loss; horizon = steps back until it falls below 1 % of its value at the loss; ' +
      'geometric mean over t of ‖∂s_t/∂s_{t−1}‖₂ (power iteration, 4 rows; below 1 is sufficient for vanishing, Pascanu et al. 2013); mean keep gate / timescale −1/ln f̄.',
    '',
    '| model | T | verdict (log-slope) | horizon | Jacobian geo-mean | keep gate / timescale | steps clipped | NaN/Inf |',
    '|---|---|---|---|---|---|---|---|',
    ...variants.flatMap((v) => Ts.map((T) => diagRow(v, T)).filter((x): x is string => x !== null)),
    '',
    '## Charts',
    '',
    ...Ts.map((T) => `- T = ${T}: [gradient norm by time step](grad-norm-by-time-T${T}.svg)${sweepLags.includes(T) && runs.some((r) => r.T === T && !main.some((v) => v.name === r.variant)) ? `, [sweeps](grad-norm-by-time-sweep-T${T}.svg)` : ''}, [test MSE](test-mse-T${T}.svg)`),
    ...(Ts.length ? [`- [‖∂L/∂s_t‖ over training, tanh RNN at T = ${Ts[Ts.length - 1]}](grad-heatmap-rnn-T${Ts[Ts.length - 1]}.svg)`] : []),
    '- HTML diagnostics reports (seed 0, longest lag): `reports/`',
    '',
    // The reading of the numbers is written by a person, in notes.md beside the results; the generator keeps it.
    ...(existsSync(join(out, 'notes.md')) ? [readFileSync(join(out, 'notes.md'), 'utf8').trimEnd(), ''] : []),
  );
  writeFileSync(join(out, 'README.md'), lines.join('\n'));
  for (const T of Ts) {
    const mainNames = new Set(main.map((v) => v.name));
    const profile = (atT: Run[]): LineSeries[] => atT.flatMap((r, i) => {
      const first = r.gradNorms[0];
      const last = r.gradNorms[r.gradNorms.length - 1];
      const color = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'][i % 8];
      return [
        ...(first ? [{ name: `${r.variant} @${first.step}`, color, points: first.relative.map((x, t) => [T - 1 - t, x] as const) }] : []),
        ...(last && last !== first ? [{ name: `${r.variant} @${last.step}`, color, dashed: true, points: last.relative.map((x, t) => [T - 1 - t, x] as const) }] : []),
      ];
    });
    const chart = (atT: Run[], what: string) =>
      lineChart(profile(atT), { title: `‖∂L/∂s_t‖ relative to the loss step, ${what}T = ${T}, seed 0 (solid: at init, dashed: end of run)`, xLabel: 'steps back from the loss', yLabel: '‖∂L/∂s_t‖ / ‖∂L/∂s_T‖', logY: true, width: 820, height: 360 });
    const seed0 = runs.filter((r) => r.T === T && r.seed === 0);
    if (seed0.some((r) => mainNames.has(r.variant))) writeFileSync(join(out, `grad-norm-by-time-T${T}.svg`), chart(seed0.filter((r) => mainNames.has(r.variant)), ''));
    if (seed0.some((r) => !mainNames.has(r.variant))) writeFileSync(join(out, `grad-norm-by-time-sweep-T${T}.svg`), chart(seed0.filter((r) => !mainNames.has(r.variant)), 'sweeps, '));
    writeFileSync(
      join(out, `test-mse-T${T}.svg`),
      lineChart(
        runs.filter((r) => r.T === T).map((r) => ({ name: `${r.variant} s${r.seed}`, points: r.testCurve })),
        { title: `Test MSE, T = ${T}`, xLabel: 'training step', yLabel: 'MSE', logY: true, width: 820, height: 360, hLines: [{ y: 0.05, label: 'success 0.05' }, { y: 2 / 12, label: 'constant 1' }] },
      ),
    );
  }
  const longest = Ts[Ts.length - 1];
  const r = runs.find((x) => x.variant === 'rnn' && x.T === longest && x.seed === 0);
  if (r && longest)
    writeFileSync(
      join(out, `grad-heatmap-rnn-T${longest}.svg`),
      heatMap(r.gradNorms.map((g) => g.relative), { title: `tanh RNN, T = ${longest}: ‖∂L/∂s_t‖ / ‖∂L/∂s_T‖`, xLabel: 'time step t', yLabel: 'training step', yValues: r.gradNorms.map((g) => g.step), log: true, valueLabel: 'log10', width: 820 }),
    );
}

// ---------- main ----------
// Priority order, so that a run cut short still answers the main question: every cell at every lag
// with seed 0, then the other seeds, then the sweeps (seed by seed).
const plan: [Variant, number, number][] = [];
for (let seed = 0; seed < seeds; seed++) for (const T of lags) for (const v of main) plan.push([v, T, seed]);
for (let seed = 0; seed < seeds; seed++) for (const T of sweepLags) for (const v of sweep) plan.push([v, T, seed]);
if (onlySeeds.length) plan.splice(0, plan.length, ...plan.filter(([, , seed]) => onlySeeds.includes(seed)));
planned = plan.map(([v, T, seed]) => ({ variant: v.name, T, seed }));
const isPlanned = (r: Run) => planned.some((p) => p.variant === r.variant && p.T === r.T && p.seed === r.seed);
if (flag('replot')) {
  // Redraw the table and charts from an earlier run's results.json (no training). `--merge DIR` first
  // adds the runs of another invocation (e.g. the sweeps, run in a second process) that this one lacks.
  const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: Run[] };
  for (const dir of opt('merge', '').split(',').filter(Boolean)) {
    const other = JSON.parse(readFileSync(join(resolve(dir), 'results.json'), 'utf8')) as { runs: Run[] };
    for (const r of other.runs) if (!saved.runs.some((x) => x.variant === r.variant && x.T === r.T && x.seed === r.seed)) saved.runs.push(r);
  }
  const runs = saved.runs.filter(isPlanned);
  writeOutputs(runs, runs.length === planned.length);
  log(`redrew ${runs.length} of ${planned.length} planned runs in ${out}`);
  process.exit(0);
}
const runs: Run[] = [];
if (resume) {
  // Keep the runs an earlier (interrupted) invocation with the same flags finished.
  try {
    const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: Run[] };
    runs.push(...saved.runs);
  } catch {
    /* nothing to resume */
  }
}
const done = (v: Variant, T: number, seed: number) => runs.some((r) => r.variant === v.name && r.T === T && r.seed === seed);
log(`${plan.length} runs (${plan.filter(([v, T, s]) => done(v, T, s)).length} already done): lags ${lags.join(',')}, sweep lags ${sweepLags.join(',')}, ≤ ${steps} steps${earlyStop ? ' (early stop at test MSE < 0.05)' : ''}, ${seeds} seeds, ${backendLabel} → ${out}`);
writeOutputs(runs, false);
for (const [v, T, seed] of plan) {
  if (done(v, T, seed)) continue;
  const r = await runOne(v, T, seed, seed === 0 && T === Math.max(...lags) && main.includes(v));
  runs.push(r);
  log(`${v.name} T=${T} seed=${seed}: test MSE ${r.finalTestMse.toFixed(4)} ${r.success ? 'success' : 'fail'} after ${r.steps} steps (${r.seconds.toFixed(0)} s; verdict ${r.gradNorms[0]?.verdict} → ${r.gradNorms[r.gradNorms.length - 1]?.verdict})`);
  writeOutputs(runs, false);
}
writeOutputs(runs, true);
log(`done; live handles ${be.stats().liveHandles}`);
void treeDispose;
