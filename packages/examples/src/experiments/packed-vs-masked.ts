// Packed sequences skip the rows whose sequence has ended; masked ones compute them and discard the
// result. Times one full-BPTT step (forward + backward) of an LSTM over sequences whose lengths
// spread evenly over 1..T, on every CPU backend, for the masked, packed and fused paths.
// Run: pnpm --filter @rnnkit/examples experiment:packed
import { createRng, normal, sum, treeDispose, type Backend } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { valueAndGrad } from '@rnnkit/autograd';
import { lstm } from '@rnnkit/cells';
import { scan, type ScanOptions } from '@rnnkit/bptt';

const [T, B, I, H] = [100, 32, 32, 64];
const lengths = Array.from({ length: B }, (_, b) => 1 + Math.floor((((b * 37) % B) * (T - 1)) / (B - 1)));
const fill = lengths.reduce((a, b) => a + b, 0) / (B * T);
const backends: [string, Backend][] = [['cpu', createCpuBackend()], ['wasm', createWasmBackend()]];
const paths: [string, ScanOptions][] = [
  ['masked (composite)', { lengths, fused: false }],
  ['packed (composite)', { lengths, packed: true }],
  ['fused kernel, lengths', { lengths }],
];

console.log(`LSTM I=${I} H=${H}, B=${B}, T=${T}; lengths 1..${T}, ${(fill * 100).toFixed(0)} % of the B·T steps are data`);
console.log('| backend | path | ms per step (best of 3) |\n|---|---|---|');
for (const [name, backend] of backends) {
  const cell = lstm({ inputSize: I, hiddenSize: H });
  const rng = createRng(0);
  const params = cell.init(rng, backend);
  const xs = normal(rng, backend, [T, B, I]);
  for (const [label, options] of paths) {
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      const { value, grads } = valueAndGrad((p: typeof params) => {
        const { ys, state } = scan(cell, p, xs, options);
        treeDispose(state);
        return sum(ys);
      })(params);
      treeDispose([value, grads]);
      if (i > 0) times.push(performance.now() - t0); // the first is a warm-up
      process.stderr.write('.');
    }
    console.log(`| ${name} | ${label} | ${Math.min(...times).toFixed(0)} |`);
  }
  treeDispose([params, xs]);
}
