// Runs against the packed + npm-installed tarballs (tools/ci/pack-check.sh), not the workspace.
import { tensor, add, matmul, sum, mul } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { valueAndGrad } from '@rnnkit/autograd';

const be = createCpuBackend();
const w = tensor(be, [1, 2, 3, 4], [2, 2], 'f64');
const x = tensor(be, [1, 0, 0, 1], [2, 2], 'f64'); // identity
// sum(w ∘ (x @ w)) = sum(w²) = 30, d/dw = 2w
const f = (p) => sum(mul(matmul(x, p.w), p.w));
const { value, grads } = valueAndGrad(f)({ w });

const v = Array.from(await value.read());
const g = Array.from(await grads.w.read());
const s = Array.from(await add(w, w).read());

const close = (a, b) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-9);
const checks = [
  ['value', v, [30]],
  ['grad w', g, [2, 4, 6, 8]],
  ['add', s, [2, 4, 6, 8]],
];
let bad = 0;
for (const [name, got, want] of checks) {
  if (!close(got, want)) {
    console.error(`smoke: ${name}: got [${got}], want [${want}]`);
    bad++;
  }
}
if (bad) process.exit(1);
console.log('smoke: OK value=%j grad=%j', v, g);
