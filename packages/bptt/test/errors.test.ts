import { describe, expect, it } from 'vitest';
import { createRng, normal, tensor, treeDispose, zeros } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { lstm } from '@rnnkit/cells';
import { recurrent, scan, truncatedWindows } from '../src/index.js';

describe('bad input gets clear errors', () => {
  const be = createCpuBackend();
  const cell = lstm({ inputSize: 3, hiddenSize: 4 });
  const params = cell.init(createRng(0), be);
  const xs = normal(createRng(1), be, [5, 2, 3]);

  it('lengths longer than T or below 1', () => {
    expect(() => scan(cell, params, xs, { lengths: [6, 2] })).toThrow('lengths: sequence 0 has length 6; every length must be an integer in [1, 5] (T = 5).');
    expect(() => scan(cell, params, xs, { lengths: [0, 2] })).toThrow('sequence 0 has length 0');
    expect(() => scan(cell, params, xs, { lengths: [2] })).toThrow('lengths: expected one length per sequence (2), got 1.');
  });

  it('mask and input shapes that disagree', () => {
    using mask = tensor(be, new Uint8Array(10), [5, 2], 'bool');
    expect(() => scan(cell, params, xs, { mask })).toThrow('mask: must be [B, T] = [2, 5] to match the input, got [5, 2].');
  });

  it('initial states of the wrong shape', () => {
    using h = zeros(be, [2, 4]);
    using c = zeros(be, [3, 4]);
    expect(() => scan(cell, params, xs, { initialState: { h, c } })).toThrow("lstm: initial state 'c' must be [2, 4] (batch 2), got [3, 4].");
    expect(() => scan(cell, params, xs, { initialState: { h } as never })).toThrow("lstm: the initial state has no 'c'");
  });

  it('an input size that does not match the cell', () => {
    using bad = zeros(be, [5, 2, 7]);
    expect(() => scan(cell, params, bad)).toThrow('scan(lstm): xs must be [T, B, 3] (time-major, 3 input features), got [5, 2, 7].');
    using x = zeros(be, [2, 7]);
    using h = zeros(be, [2, 4]);
    using c = zeros(be, [2, 4]);
    expect(() => cell.step(params, { h, c }, x)).toThrow('lstm.step: x must be [B, 3] (B batch, 3 input features), got [2, 7].');
  });

  it('bad truncation settings and layer wiring', () => {
    expect(() => truncatedWindows(10, 4, 6)).toThrow('k2 must be a multiple of k1 and at least k1, got k1 = 4, k2 = 6.');
    expect(() => recurrent({ inputSize: 3, cell: () => lstm({ inputSize: 5, hiddenSize: 4 }) })).toThrow('the cell of layer 0 takes 5 inputs but receives 3');
  });

  it('leaves no handles behind', () => {
    treeDispose(params);
    xs.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });
});
