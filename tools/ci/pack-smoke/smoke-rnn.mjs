// Runs against packed + npm-installed tarballs (tools/ci/pack-check.sh): one LSTM training step
// with @rnnkit/cells on @rnnkit/backend-cpu, using only what the tarballs ship.
import { createRng, mul, normal, sub, treeDispose, treeMap } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { valueAndGrad } from '@rnnkit/autograd';
import { lstm } from '@rnnkit/cells';
import { scan } from '@rnnkit/bptt';
import { linear, mse } from '@rnnkit/nn';

const be = createCpuBackend();
const rng = createRng(1);
const cell = lstm({ inputSize: 3, hiddenSize: 8 });
const head = linear({ inputSize: 8, outputSize: 1 });
let params = { cell: cell.init(rng, be), head: head.init(rng, be) };
const xs = normal(rng, be, [5, 4, 3]);
const ys = normal(rng, be, [5, 4, 1]);
const loss = (p) => {
  const { ys: hs, state } = scan(cell, p.cell, xs, { lengths: [5, 3, 4, 1] });
  treeDispose(state);
  return mse(head.apply(p.head, hs), ys);
};
const step = valueAndGrad(loss);
const first = step(params);
const before = await first.value.item();
const next = treeMap(params, (t, path) => sub(t, mul(pick(first.grads, path), 0.1)));
treeDispose([params, first.grads, first.value]);
params = next;
const after = await step(params).value.item();
if (!(after < before)) {
  console.error(`smoke-rnn: loss did not fall: ${before} -> ${after}`);
  process.exit(1);
}
console.log(`smoke-rnn: OK, one LSTM step: loss ${before.toFixed(5)} -> ${after.toFixed(5)}`);

function pick(tree, path) {
  return path.split('.').reduce((t, k) => t[k], tree);
}

