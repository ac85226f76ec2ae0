// Trains a logistic regression with rnnkit's autograd on generated data and prints the loss falling.
// Run: pnpm --filter @rnnkit/examples train
import { add, createRng, logSoftmax, matmul, mean, mul, neg, normal, oneHot, scope, sub, sum, argMax, eq, cast, tensor, treeDispose, zeros, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { valueAndGrad } from '@rnnkit/autograd';

const backend = createCpuBackend();
const rng = createRng(2026);
const [N, I, C] = [512, 8, 3]; // examples, features, classes
const STEPS = 300;
const LR = 0.5;

// Data: each class is a Gaussian blob around its own random centre.
const centres = rng.normalArray(C * I, 0, 1.5);
const labels = Int32Array.from({ length: N }, () => rng.nextUint32() % C);
const features = new Float32Array(N * I);
for (let n = 0; n < N; n++) for (let i = 0; i < I; i++) features[n * I + i] = centres[labels[n]! * I + i]! + rng.nextNormal();
const x = tensor(backend, features, [N, I]);
const y = tensor(backend, labels, [N], 'i32');
const targets = oneHot(y, C);

type Params = { w: Tensor; b: Tensor };
let params: Params = { w: normal(rng, backend, [I, C], 0, 0.01), b: zeros(backend, [C]) };

// Mean softmax cross-entropy of the linear model.
const loss = (p: Params) => neg(mean(sum(mul(logSoftmax(add(matmul(x, p.w), p.b)), targets), -1)));
const step = valueAndGrad(loss);

const accuracy = async (p: Params) => {
  const right = scope(() => mean(cast(eq(argMax(add(matmul(x, p.w), p.b), -1), y), 'f32')));
  try {
    return await right.item();
  } finally {
    right.dispose();
  }
};

console.log(`logistic regression: ${N} examples, ${I} features, ${C} classes, plain gradient descent (lr ${LR}) on backend '${backend.name}'`);
let first = NaN;
let last = NaN;
for (let s = 1; s <= STEPS; s++) {
  const { value, grads } = step(params);
  const next = scope(() => ({ w: sub(params.w, mul(grads.w, LR)), b: sub(params.b, mul(grads.b, LR)) }));
  treeDispose(params);
  treeDispose(grads);
  params = next;
  last = await value.item();
  value.dispose();
  if (s === 1) first = last;
  if (s === 1 || s % 30 === 0) console.log(`step ${String(s).padStart(3)}  loss ${last.toFixed(4)}  live tensors ${backend.stats().liveHandles}`);
}
const acc = await accuracy(params);
console.log(`loss ${first.toFixed(4)} -> ${last.toFixed(4)}; training accuracy ${(acc * 100).toFixed(1)}%`);
treeDispose(params);
for (const t of [x, y, targets]) t.dispose();
if (!(last < first / 2)) {
  console.error('error: the loss did not fall by half; something is wrong.');
  process.exit(1);
}
