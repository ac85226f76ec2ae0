// Local throughput check (not a test; the official harness is packages/bench). Prints GEMM GFLOP/s
// for the shapes of ../shared/design/CPU-KERNELS.md and LSTM-h256 tokens/s (I=128, H=256, B=32,
// T=100, V=128 head on every step, softmax cross-entropy, Adam) through scan on this backend.
//
//   pnpm --filter @rnnkit/backend-wasm measure            (from the repo root)
//   node --conditions=@rnnkit/source --import tsx scripts/measure.mjs [--simd relaxed|simd|none] [--cell lstm|gru|rnn] [--skip-gemm]
//
// Relaxed SIMD on Node 20 needs `node --experimental-wasm-relaxed-simd` (the script never sets flags).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { benchmarkGemm, createWasmBackend } from '../src/index.ts';

const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const simd = arg('simd');
const cellKind = arg('cell') ?? 'lstm';

if (!argv.includes('--skip-gemm')) {
  const shapes = [
    ['NN', 32, 256, 1024, 'one LSTM step, B=32 H=256'],
    ['NN', 3200, 128, 1024, 'input projection, all steps'],
    ['NN', 32, 1024, 256, 'backward dh'],
    ['NN', 256, 32, 1024, 'weight gradient, one step'],
    ['NT', 32, 1024, 256, ''],
    ['TN', 1024, 3200, 256, 'dW_hh over T·B (one GEMM)'],
    ['NN', 1024, 1024, 1024, ''],
  ];
  for (const [variant, M, K, N, what] of shapes) {
    const r = benchmarkGemm({ M, K, N, variant, ...(simd ? { simd } : {}), minSeconds: 0.5 });
    console.log(`gemm ${variant} ${M}x${K}x${N} (${r.simd}): ${r.gflops.toFixed(1)} GFLOP/s${what ? `   ${what}` : ''}`);
  }
}

// The recurrent stack, resolved from the private integration package (this package may not depend on it).
const req = createRequire(new URL('../../integration/package.json', import.meta.url));
const load = async (name) => import(req.resolve(name));
const T_ = await load('@rnnkit/tensor');
const { valueAndGrad } = await load('@rnnkit/autograd');
const cells = await load('@rnnkit/cells');
const { scan } = await load('@rnnkit/bptt');
const { linear, softmaxCrossEntropy } = await load('@rnnkit/nn');
const { adam, applyUpdates } = await load('@rnnkit/optim');

const be = createWasmBackend(simd ? { simd } : {});
const [I, H, B, T, V] = [128, 256, 32, 100, 128];
const rng = T_.createRng(0);
const cell = cellKind === 'lstm' ? cells.lstm({ inputSize: I, hiddenSize: H }) : cellKind === 'gru' ? cells.gru({ inputSize: I, hiddenSize: H }) : cells.rnn({ inputSize: I, hiddenSize: H });
const head = linear({ inputSize: H, outputSize: V });
let params = { cell: cell.init(rng, be), head: head.init(rng, be) };
const x = T_.tensor(be, rng.normalArray(T * B * I), [T, B, I], 'f32');
const targets = T_.tensor(be, Int32Array.from({ length: T * B }, () => Math.floor(rng.nextFloat() * V)), [T, B], 'i32');
const opt = adam(1e-3);
let state = opt.init(params);

const lossOf = (p) => {
  const { ys } = scan(cell, p.cell, x);
  return softmaxCrossEntropy(head.apply(p.head, ys), targets);
};
const infer = () => {
  T_.scope(() => {
    const { ys } = scan(cell, params.cell, x);
    head.apply(params.head, ys).readSync();
  });
};
const train = () => {
  const { value, grads } = valueAndGrad(lossOf)(params);
  const [updates, next] = opt.update(grads, state, params);
  const nextParams = applyUpdates(params, updates);
  T_.treeDispose([grads, updates, params]);
  params = nextParams;
  state = next;
  const loss = value.readSync()[0];
  value.dispose();
  return loss;
};

const time = (f, n) => {
  f();
  f();
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    out.push((performance.now() - t0) / 1000);
  }
  return out.sort((a, b) => a - b);
};
const median = (a) => a[Math.floor(a.length / 2)];
const G = cellKind === 'lstm' ? 4 : cellKind === 'gru' ? 3 : 1;
const flopsFwd = B * T * (2 * (I + H) * G * H + 2 * H * V);
const ti = median(time(infer, 7));
console.log(`${cellKind}-h256 infer (${be.simd}): ${((B * T) / ti).toFixed(0)} tokens/s, ${(ti * 1000).toFixed(1)} ms/batch, ${(flopsFwd / ti / 1e9).toFixed(1)} GFLOP/s`);
const tt = median(time(train, 5));
console.log(`${cellKind}-h256 train (${be.simd}): ${((B * T) / tt).toFixed(0)} tokens/s, ${(tt * 1000).toFixed(1)} ms/batch, ${((3 * flopsFwd) / tt / 1e9).toFixed(1)} GFLOP/s, loss ${train().toFixed(4)}`);
console.log(`scratch ${(be.scratchBytes() / 2 ** 20).toFixed(1)} MiB`);
