import { describe, expect, it } from 'vitest';
import { add, createRng, narrow, normal, sub, abs, max, treeFlatten } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { gru, lstm } from '@rnnkit/cells';
import { recurrent, scan, truncatedWindows } from '../src/index.js';

describe('recurrent stacks', () => {
  it('names, shapes and a bidirectional layer equal two scans', async () => {
    const be = createCpuBackend();
    const model = recurrent({ inputSize: 3, numLayers: 2, bidirectional: true, cell: (inputSize) => gru({ inputSize, hiddenSize: 4, dtype: 'f64' }) });
    const params = model.init(createRng(0), be);
    expect(treeFlatten(params).map(([k, t]) => `${k} ${t.shape.join('x')}`)).toEqual([
      'layers.0.forward.weight_ih 12x3', 'layers.0.forward.weight_hh 12x4', 'layers.0.forward.bias_ih 12', 'layers.0.forward.bias_hh 12',
      'layers.0.reverse.weight_ih 12x3', 'layers.0.reverse.weight_hh 12x4', 'layers.0.reverse.bias_ih 12', 'layers.0.reverse.bias_hh 12',
      'layers.1.forward.weight_ih 12x8', 'layers.1.forward.weight_hh 12x4', 'layers.1.forward.bias_ih 12', 'layers.1.forward.bias_hh 12',
      'layers.1.reverse.weight_ih 12x8', 'layers.1.reverse.weight_hh 12x4', 'layers.1.reverse.bias_ih 12', 'layers.1.reverse.bias_hh 12',
    ]);
    const xs = normal(createRng(1), be, [6, 2, 3], 0, 1, { dtype: 'f64' });
    const { ys, states } = model.run(params, xs, { lengths: [6, 4] });
    expect(ys.shape).toEqual([6, 2, 8]);
    expect(model.outputSize).toBe(8);
    // A one-layer bidirectional model equals a forward and a reverse scan side by side.
    const one = recurrent({ inputSize: 3, bidirectional: true, cell: (inputSize) => gru({ inputSize, hiddenSize: 4, dtype: 'f64' }) });
    const cells = one.cells[0]!;
    const layer = params.layers[0]!;
    const both = one.run({ layers: [layer] }, xs, { lengths: [6, 4] });
    const f = scan(cells.forward, layer.forward, xs, { lengths: [6, 4] });
    const r = scan(cells.reverse!, layer.reverse!, xs, { lengths: [6, 4], reverse: true });
    const d = add(max(abs(sub(narrow(both.ys, 2, 0, 4), f.ys))), max(abs(sub(narrow(both.ys, 2, 4, 4), r.ys))));
    expect(await d.item()).toBe(0);
    expect(Array.from(await both.states[0]!.reverse!.h.read())).toEqual(Array.from(await r.state.h.read()));
    // Padded steps of sequence 1 output zero in both directions.
    const pad = narrow(narrow(ys, 0, 4, 2), 1, 1, 1);
    expect(Array.from(await pad.read()).every((v) => v === 0)).toBe(true);
    expect(states.map((s) => Object.keys(s))).toEqual([['forward', 'reverse'], ['forward', 'reverse']]);
  });

  it('merge sum and dropout are deterministic for an rng', async () => {
    const be = createCpuBackend();
    const model = recurrent({ inputSize: 3, numLayers: 2, bidirectional: true, merge: 'sum', dropout: 0.5, cell: (inputSize) => lstm({ inputSize, hiddenSize: 4 }) });
    const params = model.init(createRng(0), be);
    const xs = normal(createRng(1), be, [4, 2, 3]);
    const a = model.run(params, xs, { training: true, rng: createRng(7) });
    const b = model.run(params, xs, { training: true, rng: createRng(7) });
    const c = model.run(params, xs, { training: false });
    expect(a.ys.shape).toEqual([4, 2, 4]);
    expect(Array.from(await a.ys.read())).toEqual(Array.from(await b.ys.read()));
    expect(Array.from(await a.ys.read())).not.toEqual(Array.from(await c.ys.read()));
    expect(() => model.run(params, xs, { training: true })).toThrow('training with dropout needs an rng');
  });

  it('truncated windows cover the sequence in k1 steps, reaching k2 back', () => {
    expect(truncatedWindows(10, 4)).toEqual([{ start: 0, end: 4, lossStart: 0 }, { start: 4, end: 8, lossStart: 4 }, { start: 8, end: 10, lossStart: 8 }]);
    expect(truncatedWindows(10, 2, 4)).toEqual([
      { start: 0, end: 2, lossStart: 0 }, { start: 0, end: 4, lossStart: 2 }, { start: 2, end: 6, lossStart: 4 },
      { start: 4, end: 8, lossStart: 6 }, { start: 6, end: 10, lossStart: 8 },
    ]);
  });
});
