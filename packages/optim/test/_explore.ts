import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { add, mul, scalar, square, sub, sum, tensor, zeros, type Tensor, type Transform } from '@rnnkit/tensor';
import * as o from '../src/index.js';

const be = createCpuBackend();
type Tree = Record<string, Tensor>;
function steps(t: Transform<unknown>, p: Tree, loss: (p: Tree) => Tensor, target: Record<string, number[]>, max: number): number {
  const vg = valueAndGrad(loss);
  let x = p; let s = t.init(x);
  for (let i = 0; i < max; i++) {
    const { value, grads } = vg(x); value.dispose();
    const [u, n] = t.update(grads, s, x);
    x = o.applyUpdates(x, u, { donate: true }) as Tree; o.disposeState(s); o.disposeState(grads); s = n;
    let d = 0;
    for (const [k, want] of Object.entries(target)) { const got = x[k]!.readSync(); want.forEach((w, j) => { d += (got[j]! - w) ** 2; }); }
    if (Math.sqrt(d) < 1e-2) { o.disposeState([x, s]); return i + 1; }
  }
  o.disposeState([x, s]);
  return -1;
}
const A = { v: tensor(be, [1, 2, 4], [3], 'f64'), m: tensor(be, [0.5, 1.5, 3, 1], [2, 2], 'f64') };
const C = { v: tensor(be, [1, -2, 0.5], [3], 'f64'), m: tensor(be, [0.25, -1, 2, -0.5], [2, 2], 'f64') };
const quad = (x: Tree) => add(sum(mul(mul(square(sub(x.v!, C.v)), A.v), 0.5)), sum(mul(mul(square(sub(x.m!, C.m)), A.m), 0.5)));
const rosen = (b: number) => (p: Tree) => add(square(sub(1, p.x!)), mul(square(sub(p.y!, square(p.x!))), b));
const cands: Record<string, (lr: number) => Transform<unknown>> = {
  sgd: (lr) => o.sgd(lr), momentum: (lr) => o.momentum(lr), nesterov: (lr) => o.nesterov(lr), adam: (lr) => o.adam(lr), adamw: (lr) => o.adamw(lr),
  adamax: (lr) => o.adamax(lr), amsgrad: (lr) => o.amsgrad(lr), rmsprop: (lr) => o.rmsprop(lr), adagrad: (lr) => o.adagrad(lr), adadelta: (lr) => o.adadelta(lr),
};
const [which, lrs, b, start] = [process.argv[2]!, process.argv[3]!.split(',').map(Number), Number(process.argv[4] ?? 100), (process.argv[5] ?? '-1.2,1').split(',').map(Number)];
for (const [name, mk] of Object.entries(cands).filter(([n]) => !process.env.ONLY || process.env.ONLY.split(',').includes(n))) for (const lr of lrs) {
  const t0 = performance.now();
  const n = which === 'q'
    ? steps(mk(lr), { v: zeros(be, [3], 'f64'), m: zeros(be, [2, 2], 'f64') }, quad, { v: [1, -2, 0.5], m: [0.25, -1, 2, -0.5] }, 3000)
    : steps(mk(lr), { x: scalar(be, start[0]!, 'f64'), y: scalar(be, start[1]!, 'f64') }, rosen(b), { x: [1], y: [1] }, Number(process.env.MAX ?? 5000));
  console.log(name, lr, n, `${(performance.now() - t0).toFixed(0)}ms`);
}
