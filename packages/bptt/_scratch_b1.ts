import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { gru, lstm } from '@rnnkit/cells';
import { createRng, mean, normal, square, tensor, treeDispose } from '@rnnkit/tensor';
import { recurrent, scan } from '@rnnkit/bptt';

const backend = createCpuBackend();
const cell = gru({ inputSize: 3, hiddenSize: 4 });
const params = cell.init(createRng(0), backend);
const xs = normal(createRng(1), backend, [6, 3, 3]); // [T, B, I]: 3 sequences of up to 6 steps

// Variable lengths: pick one of lengths (+ padding, + packed) or mask.
const a = scan(cell, params, xs, { lengths: [6, 2, 4] });                     // right padding, masked
const b = scan(cell, params, xs, { lengths: [6, 2, 4], packed: true });       // same result, finished rows skipped
const c = scan(cell, params, xs, { lengths: [6, 2, 4], padding: 'left' });    // data at the end of each row
const mask = tensor(backend, [[1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0]], [3, 6], 'bool');
const d = scan(cell, params, xs, { mask });                                    // [B, T], any pattern
const r = scan(cell, params, xs, { lengths: [6, 2, 4], reverse: true });      // from each row's last step back
console.log(a.ys.shape, (await a.state.h.read()).join() === (await b.state.h.read()).join(), c.state.h.shape, (await d.ys.read()).join() === (await a.ys.read()).join(), r.ys.shape);

// Full BPTT: differentiate through scan.
const { value, grads } = valueAndGrad((p: typeof params) => mean(square(scan(cell, p, xs, { lengths: [6, 2, 4] }).ys)))(params);
console.log((await value.item()).toFixed(6), grads.weight_hh.shape);

// Taps
const gates: number[] = [];
scan(cell, params, xs, { tap: { onStep: (e) => gates.push(e.aux.z!.shape[0]!) } });
console.log(gates.length);

// recurrent
const model = recurrent({
  inputSize: 3, numLayers: 2, bidirectional: true, dropout: 0.1,
  cell: (inputSize) => lstm({ inputSize, hiddenSize: 4 }),
});
const mp = model.init(createRng(0), backend);               // mp.layers[k].forward / .reverse: LstmParams
const out = model.run(mp, xs, { lengths: [6, 2, 4], packed: true, training: true, rng: createRng(2) });
console.log(out.ys.shape, model.outputSize, out.states[1]!.reverse!.c.shape); // [6, 3, 8] 8 [3, 4]

// Streaming
const stream = gru({ inputSize: 3, hiddenSize: 4 });
let state = stream.zeroState(2, backend);
for (const chunk of [normal(createRng(3), backend, [4, 2, 3]), normal(createRng(4), backend, [1, 2, 3])]) {
  const res = scan(stream, params, chunk, { initialState: state });
  treeDispose(state);
  state = res.state; // carry on; detached as long as no valueAndGrad spans the calls
  res.ys.dispose();
  chunk.dispose();
}
console.log(state.h.shape);
