// Type-checked (not run) against the .d.ts files of the installed tarballs.
import { tensor, add, matmul, sum, mul, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { valueAndGrad } from '@rnnkit/autograd';

const be = createCpuBackend();
const w: Tensor = tensor(be, [1, 2, 3, 4], [2, 2], 'f64');
const x: Tensor = tensor(be, [1, 0, 0, 1], [2, 2], 'f64');
const f = (p: { w: Tensor }): Tensor => sum(mul(matmul(x, p.w), p.w));
const { value, grads } = valueAndGrad(f)({ w });
const v = await value.read();
const g = await grads.w.read();
const s = await add(w, w).read();
export const result: number[] = [...Array.from(v), ...Array.from(g), ...Array.from(s)];
