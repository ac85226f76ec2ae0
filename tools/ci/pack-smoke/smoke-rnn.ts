// Type-checked (not run) against the .d.ts files of the installed tarballs.
import { createRng, normal, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { valueAndGrad } from '@rnnkit/autograd';
import { gru, lstm, type LstmParams } from '@rnnkit/cells';
import { recurrent, scan } from '@rnnkit/bptt';
import { linear, softmaxCrossEntropy, type LinearParams } from '@rnnkit/nn';

const be = createCpuBackend();
const rng = createRng(1);
const cell = lstm({ inputSize: 3, hiddenSize: 8 });
const head = linear({ inputSize: 8, outputSize: 5 });
const params: { cell: LstmParams; head: LinearParams } = { cell: cell.init(rng, be), head: head.init(rng, be) };
const xs: Tensor = normal(rng, be, [5, 4, 3]);
const targets: Tensor = normal(rng, be, [5, 4], 0, 1, { dtype: 'i32' });
const step = valueAndGrad((p: typeof params) => softmaxCrossEntropy(head.apply(p.head, scan(cell, p.cell, xs).ys), targets));
const { value, grads } = step(params);
export const out: [Tensor, Tensor] = [value, grads.cell.weight_hh];
export const stack = recurrent({ inputSize: 3, numLayers: 2, bidirectional: true, cell: (inputSize) => gru({ inputSize, hiddenSize: 4 }) });
