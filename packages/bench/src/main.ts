// pnpm bench [--system rnnkit,tfjs-cpu,tfjs-wasm,tfjs-webgpu,brain.js] [--workload lstm-h256,…]
//            [--mode train,infer] [--scaling] [--scaling-only] [--scaling-t 100,1000,10000]
//            [--scaling-bptt full,truncated,checkpointed] [--quick] [--max-seconds N] [--no-relaxed-simd]
//            [--backend cpu,wasm-simd,wasm-relaxed,wasm-simd-Nt,wasm-relaxed-Nt,webgpu]   (which rnnkit backends;
//                                               -Nt: with worker threads on all N cores)
//            [--gemm | --gemm-only]   (the GEMM-only ceiling of the wasm backend for the same shapes)
// One JSON line per result on stdout; progress and notes on stderr.
// First: sets VK_ICD_FILENAMES (SwiftShader) where unset, before anything can create Dawn's GPU.
import { vulkanIcdNote } from './env.js';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { brainRunner } from './brain.js';
import { runGemm } from './gemm.js';
import { runRow } from './harness.js';
import { Progress, note } from './report.js';
import { rnnkitBackends, rnnkitRunner } from './rnnkit.js';
import { SCALING_BPTT, SCALING_T, runScaling, type BpttKind } from './scaling.js';
import type { SystemRunner } from './system.js';
import { tfjsRunner } from './tfjs.js';
import { FULL_TIMING, QUICK_TIMING, type TimingConfig } from './timing.js';
import { H256_ROWS, WORKLOADS, workloadById, type Mode } from './workloads.js';

const SYSTEMS = ['rnnkit', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu', 'brain.js'] as const;
type SystemArg = (typeof SYSTEMS)[number];

const list = (s: string | undefined): string[] | undefined => s?.split(',').map((x) => x.trim()).filter(Boolean);

// The CLI may set V8 flags for its own process (the library never does): Node 20 validates
// relaxed-SIMD WebAssembly only with this flag, so rnnkit's wasm backend can be measured both ways.
// It must be set before any module is compiled; --no-relaxed-simd leaves V8 as it is.
if (!process.argv.includes('--no-relaxed-simd')) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      system: { type: 'string' },
      workload: { type: 'string' },
      mode: { type: 'string' },
      scaling: { type: 'boolean', default: false },
      'scaling-only': { type: 'boolean', default: false },
      'scaling-t': { type: 'string' },
      'scaling-bptt': { type: 'string' },
      quick: { type: 'boolean', default: false },
      'max-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      'no-relaxed-simd': { type: 'boolean', default: false },
      backend: { type: 'string' },
      gemm: { type: 'boolean', default: false },
      'gemm-only': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    note('pnpm bench [--system rnnkit,tfjs-cpu,tfjs-wasm,tfjs-webgpu,brain.js] [--workload ids] [--mode train,infer]');
    note('           [--scaling | --scaling-only] [--scaling-t 100,1000,10000] [--scaling-bptt full,truncated,checkpointed]');
    note('           [--quick] [--max-seconds N] [--no-relaxed-simd] [--backend cpu,wasm-simd,wasm-relaxed,wasm-simd-Nt,wasm-relaxed-Nt,webgpu (rnnkit only)]');
    note('           [--gemm | --gemm-only]  GEMM-only ceiling rows ("kind":"gemm" and "gemm-ceiling"; default workload lstm-h256)');
    note(`workloads: ${WORKLOADS.map((w) => w.id).join(', ')} (default: ${H256_ROWS.join(', ')})`);
    return;
  }
  const systems = (list(values.system) ?? [...SYSTEMS]) as SystemArg[];
  for (const s of systems) if (!SYSTEMS.includes(s)) throw new Error(`unknown system '${s}'; known: ${SYSTEMS.join(', ')}`);
  const workloads = (list(values.workload) ?? H256_ROWS).map(workloadById);
  const gemmOnly = values['gemm-only'];
  const gemm = values.gemm || gemmOnly;
  const gemmWorkloads = (list(values.workload) ?? ['lstm-h256']).map(workloadById);
  const gemmBackends = ['wasm-simd', 'wasm-relaxed'].filter(
    (b) => (!list(values.backend) || list(values.backend)!.includes(b)) && !(b === 'wasm-relaxed' && values['no-relaxed-simd']),
  );
  const modes = (list(values.mode) ?? ['train', 'infer']) as Mode[];
  for (const m of modes) if (m !== 'train' && m !== 'infer') throw new Error(`unknown mode '${String(m)}'; train or infer`);
  const maxSeconds = values['max-seconds'] ? Number(values['max-seconds']) : Infinity;
  if (!(maxSeconds > 0)) throw new Error('--max-seconds must be a positive number');
  const timing: TimingConfig = { ...(values.quick ? QUICK_TIMING : FULL_TIMING), maxSeconds };
  const scalingOnly = values['scaling-only'];
  const scaling = values.scaling || scalingOnly;
  const scalingT = (list(values['scaling-t'])?.map(Number) ?? [...SCALING_T]);
  const scalingBptt = (list(values['scaling-bptt']) ?? [...SCALING_BPTT]) as BpttKind[];
  // Which rnnkit backends to run (cpu, wasm-simd, wasm-relaxed, webgpu); all present by default.
  const backendFilter = list(values.backend);
  const rnnkitChoices = async () => (await rnnkitBackends()).filter((c) => !backendFilter || backendFilter.includes(c.name));
  if (values.quick) note('--quick: fewer batches and no minimum time; smoke runs only, not for publishing.');
  if (vulkanIcdNote && !gemmOnly) note(`webgpu: ${vulkanIcdNote}`);

  if (gemmOnly) {
    const progress = new Progress(gemmBackends.length * gemmWorkloads.length);
    runGemm({ workloads: gemmWorkloads, modes, backends: gemmBackends, ...gemmTiming(values.quick), progress });
    progress.end();
    return;
  }

  const choices = systems.includes('rnnkit') || scaling ? await rnnkitChoices() : [];
  // The scaling rows are rnnkit's (its O(T) time and memory claim), on each single-threaded CPU backend present.
  const scalingChoices = choices.filter((c) => c.name !== 'webgpu' && c.threads === 1);
  const runners = systems.reduce((n, s) => n + (s === 'rnnkit' ? choices.length : 1), 0);
  const rows = scalingOnly ? 0 : runners * workloads.length * modes.length;
  const gemmRows = gemm ? gemmBackends.length * gemmWorkloads.length : 0;
  const progress = new Progress(rows + gemmRows + (scaling ? scalingChoices.length * scalingT.length * scalingBptt.length : 0));
  const runAll = async (runner: SystemRunner) => {
    for (const w of workloads)
      for (const mode of modes) {
        try {
          await runRow(runner, w, mode, { timing, progress });
        } catch (e) {
          note(`\nerror ${runner.system}/${runner.backend} ${w.id} ${mode}: ${(e as Error).stack ?? String(e)}`);
        }
        progress.tick();
      }
    await runner.close?.();
  };

  if (!scalingOnly)
    for (const system of systems) {
      if (system === 'rnnkit') {
        for (const choice of choices) {
          const be = await choice.create();
          await runAll(rnnkitRunner(choice, be));
        }
      } else if (system === 'brain.js') await runAll(brainRunner());
      else {
        const runner = await tfjsRunner(system.slice('tfjs-'.length) as 'cpu' | 'wasm' | 'webgpu');
        if (runner) await runAll(runner);
        else for (let i = 0; i < workloads.length * modes.length; i++) progress.tick();
      }
    }
  if (scaling) {
    for (const choice of scalingChoices) {
      const be = await choice.create();
      await runScaling(be, choice, { Ts: scalingT, kinds: scalingBptt, quick: values.quick, maxSeconds, progress });
    }
  }
  if (gemm) runGemm({ workloads: gemmWorkloads, modes, backends: gemmBackends, ...gemmTiming(values.quick), progress });
  progress.end();
}

/** GEMM rows: the median of 3 repeats of ≥ 1 s each per shape (--quick: 1 of 0.05 s). */
function gemmTiming(quick: boolean): { repeats: number; minSeconds: number } {
  return quick ? { repeats: 1, minSeconds: 0.05 } : { repeats: 3, minSeconds: 1 };
}

main().catch((e: unknown) => {
  note((e as Error).stack ?? String(e));
  process.exitCode = 1;
});
