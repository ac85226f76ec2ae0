// Every built-in cell, and MGU, against the cell conformance kit, with PyTorch's parameter names and shapes.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { describeCellConformance, type ExpectedParams } from '@rnnkit/testing';
import { gru, lstm, mgu, rnn } from '../src/index.js';

const backend = () => createCpuBackend();

/** weight_ih [G·H, I], weight_hh [G·H, R], bias_ih [G·H], bias_hh [G·H]: PyTorch's layout for G gate blocks. */
const gated = (G: number, R?: number) => ({ inputSize: I, hiddenSize: H }: { inputSize: number; hiddenSize: number }): ExpectedParams => ({
  weight_ih: [G * H, I],
  weight_hh: [G * H, R ?? H],
  bias_ih: [G * H],
  bias_hh: [G * H],
});

for (const activation of ['tanh', 'relu'] as const) {
  describeCellConformance({
    name: `rnn ${activation}`,
    make: ({ inputSize, hiddenSize, dtype }) => rnn({ inputSize, hiddenSize, activation, dtype }),
    backend,
    expectedParams: gated(1),
  });
}

describeCellConformance({
  name: 'rnn tanh without bias',
  make: ({ inputSize, hiddenSize, dtype }) => rnn({ inputSize, hiddenSize, bias: false, dtype }),
  backend,
  expectedParams: ({ inputSize: I, hiddenSize: H }) => ({ weight_ih: [H, I], weight_hh: [H, H] }),
});

describeCellConformance({
  name: 'lstm',
  make: ({ inputSize, hiddenSize, dtype }) => lstm({ inputSize, hiddenSize, dtype }),
  backend,
  expectedParams: gated(4),
});

describeCellConformance({
  name: 'lstm with projSize 2',
  make: ({ inputSize, hiddenSize, dtype }) => lstm({ inputSize, hiddenSize, projSize: 2, dtype }),
  backend,
  // PyTorch's proj_size: weight_hh takes the projected h, weight_hr [P, H] comes last.
  expectedParams: (sizes) => ({ ...gated(4, 2)(sizes), weight_hr: [2, sizes.hiddenSize] }),
});

describeCellConformance({
  name: 'lstm with peepholes',
  make: ({ inputSize, hiddenSize, dtype }) => lstm({ inputSize, hiddenSize, peepholes: true, dtype }),
  backend,
  expectedParams: (sizes) => ({ ...gated(4)(sizes), peephole_i: [sizes.hiddenSize], peephole_f: [sizes.hiddenSize], peephole_o: [sizes.hiddenSize] }),
});

describeCellConformance({
  name: 'lstm with cellClip 0.3',
  // lstm.test.ts also checks the gradient where the clip bites.
  make: ({ inputSize, hiddenSize, dtype }) => lstm({ inputSize, hiddenSize, cellClip: 0.3, dtype }),
  backend,
  expectedParams: gated(4),
});

describeCellConformance({
  name: 'lstm with forgetBias 1',
  make: ({ inputSize, hiddenSize, dtype }) => lstm({ inputSize, hiddenSize, forgetBias: 1, dtype }),
  backend,
  expectedParams: gated(4),
});

describeCellConformance({
  name: 'gru reset-after',
  make: ({ inputSize, hiddenSize, dtype }) => gru({ inputSize, hiddenSize, dtype }),
  backend,
  expectedParams: gated(3),
});

describeCellConformance({
  name: 'gru reset-before',
  make: ({ inputSize, hiddenSize, dtype }) => gru({ inputSize, hiddenSize, resetAfter: false, dtype }),
  backend,
  expectedParams: gated(3),
});

describeCellConformance({
  name: 'mgu',
  make: ({ inputSize, hiddenSize, dtype }) => mgu({ inputSize, hiddenSize, dtype }),
  backend,
  expectedParams: gated(2),
  steps: 4,
});

describeCellConformance({
  name: 'mgu without bias',
  make: ({ inputSize, hiddenSize, dtype }) => mgu({ inputSize, hiddenSize, bias: false, dtype }),
  backend,
  expectedParams: ({ inputSize: I, hiddenSize: H }) => ({ weight_ih: [2 * H, I], weight_hh: [2 * H, H] }),
});
