// Keras / tfjs: models saved by pure @tensorflow/tfjs (tools/fixtures/tfjs.mjs) import and
// reproduce tfjs' outputs; Keras-layout round trips are exact; tf.basicLSTMCell's layout converts;
// what rnnkit or Keras cannot compute is refused.
import { describe, expect, it } from 'vitest';
import { tensor } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import {
  ConversionRefused, fromBasicLstmCell, fromKerasCell, host, identical, importTfjsModel, recurrentOf, runNetwork, stackToParams, toBasicLstmCell,
  toKerasCell, type HostTensor, type RecurrentSpec, type TfjsModelJson,
} from '../src/index.js';
import { backend, f32, fixtureBytes, fixtureJson, permute, randomStack, type ArrayJson } from './helpers.js';

interface TfjsExpected {
  x?: ArrayJson;
  ids?: ArrayJson;
  y: ArrayJson;
}

function load(name: string) {
  const model = fixtureJson<TfjsModelJson>(`tfjs/${name}/model.json`);
  return { model, weights: fixtureBytes(`tfjs/${name}/weights.bin`), expected: fixtureJson<TfjsExpected>(`tfjs/${name}/expected.json`) };
}

describe('tfjs models reproduce tfjs', () => {
  for (const name of ['lstm', 'gru', 'simple_rnn', 'simple_rnn_relu', 'bi_lstm_stack', 'lm_bi']) {
    it(name, () => {
      const { model, weights, expected } = load(name);
      const net = importTfjsModel(model, weights);
      let input;
      if (expected.ids) {
        const t = permute(expected.ids.data, expected.ids.shape, [1, 0]); // [B, T] → [T, B]
        input = tensor(backend, Int32Array.from(t.data), t.shape, 'i32');
      } else {
        const t = permute(expected.x!.data, expected.x!.shape, [1, 0, 2]); // Keras is batch-major
        input = tensor(backend, Float32Array.from(t.data), t.shape, 'f32');
      }
      const y = runNetwork(net, backend, input);
      const want = permute(expected.y.data, expected.y.shape, [1, 0, 2]);
      expect(y.shape).toEqual(want.shape);
      expectClose(y.readSync(), want.data, 'f32', name);
    });
  }

  it('the GRU is imported as reset-before (tfjs has no other)', () => {
    const { model, weights } = load('gru');
    expect(importTfjsModel(model, weights).stacks[0]!.spec.resetAfter).toBe(false);
  });

  it("refuses tfjs' default hard_sigmoid gates", () => {
    const { model, weights } = load('lstm_hard_sigmoid');
    expect(() => importTfjsModel(model, weights)).toThrow(ConversionRefused);
    expect(() => importTfjsModel(model, weights)).toThrow(/recurrent_activation 'hard_sigmoid' has no rnnkit counterpart: rnnkit's gates use the logistic sigmoid/);
  });

  it('names the tensor and both shapes when a weight has the wrong shape', () => {
    const { model, weights } = load('lstm');
    const bad = structuredClone(model) as unknown as { weightsManifest: { weights: { shape: number[] }[] }[] };
    bad.weightsManifest[0]!.weights[1]!.shape = [3, 16]; // recurrent_kernel should be [4, 16]
    expect(() => importTfjsModel(bad as unknown as TfjsModelJson, weights)).toThrow(/tensor 'recurrent_kernel' has shape \[3, 16\], expected \[4, 16\]/);
  });

  it('fails on truncated shards, naming the weight', () => {
    const { model, weights } = load('lstm');
    expect(() => importTfjsModel(model, weights.subarray(0, 200))).toThrow(/the weight shards end before weight 'lstm_LSTM1\/recurrent_kernel'/);
  });
});

describe('Keras layout round trips are exact', () => {
  const specs: RecurrentSpec[] = [
    { kind: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true },
    { kind: 'gru', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, resetAfter: true },
    { kind: 'gru', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, resetAfter: false },
    { kind: 'rnn', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, activation: 'relu' },
    { kind: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: false },
  ];
  for (const spec of specs) {
    it(`${spec.kind}${spec.kind === 'gru' ? (spec.resetAfter ? ' reset_after' : ' reset-before') : ''}${spec.bias ? '' : ' no-bias'}`, () => {
      const p = randomStack(spec, 5).params.layers[0]!.forward;
      // Keras keeps one bias (except reset-after GRUs): rnnkit parameters as a Keras import gives them have bias_hh = 0.
      const single = spec.bias && !(spec.kind === 'gru' && spec.resetAfter);
      const canonical = single ? { ...p, bias_hh: host(new Float32Array(p.bias_hh!.data.length), p.bias_hh!.shape) } : p;
      const keras = toKerasCell(spec, canonical);
      if (spec.kind === 'gru' && spec.resetAfter) expect(keras.bias!.shape).toEqual([2, 12]);
      const back = fromKerasCell(spec, 3, keras);
      expect(Object.keys(back).sort()).toEqual(Object.keys(canonical).sort());
      for (const k of Object.keys(canonical)) expect(identical(canonical[k]!, back[k]!), k).toBe(true);
      // …and Keras → rnnkit → Keras gives the same tensors.
      const again = toKerasCell(spec, back);
      for (const k of ['kernel', 'recurrent_kernel', 'bias'] as const) if (keras[k]) expect(identical(keras[k], again[k]!), k).toBe(true);
    });
  }

  it('folds bias_ih + bias_hh into one Keras bias and computes the same function', () => {
    const spec: RecurrentSpec = { kind: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true };
    const stack = randomStack(spec, 9);
    const back = fromKerasCell(spec, 3, toKerasCell(spec, stack.params.layers[0]!.forward));
    const x = tensor(backend, Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [4, 2, 3], 'f32');
    const a = recurrentOf(spec).run(stackToParams(stack, backend), x).ys.readSync();
    const b = recurrentOf(spec).run(stackToParams({ spec, params: { layers: [{ forward: back }] } }, backend), x).ys.readSync();
    expectClose(b, a, 'f32');
  });

  it('refuses what Keras lacks', () => {
    const base = { inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true } as const;
    const p = (s: RecurrentSpec) => randomStack(s).params.layers[0]!.forward;
    const proj: RecurrentSpec = { ...base, kind: 'lstm', projSize: 2 };
    expect(() => toKerasCell(proj, p(proj))).toThrow(/Keras: conversion refused: the LSTM layer has no projection/);
    const peep: RecurrentSpec = { ...base, kind: 'lstm', peepholes: true };
    expect(() => toKerasCell(peep, p(peep))).toThrow(/Keras: conversion refused: the LSTM layer has no peephole connections/);
    const after: RecurrentSpec = { ...base, kind: 'gru', resetAfter: true };
    expect(() => toKerasCell(after, p(after), { runtime: 'tfjs layers' })).toThrow(
      /tfjs layers: conversion refused: tfjs' GRU supports only reset_after = false .* this GRU is reset-after .* a different function/,
    );
  });
});

describe('tf.basicLSTMCell', () => {
  it('imported weights reproduce tf.basicLSTMCell over the sequence', () => {
    const ref = fixtureJson<{ kernel: ArrayJson; bias: ArrayJson; forgetBias: number; x: ArrayJson; h: ArrayJson; c: ArrayJson }>('tfjs/basic_lstm_cell/expected.json');
    const I = ref.x.shape[2]!;
    const { spec, params } = fromBasicLstmCell(
      { kernel: host(ref.kernel.data, ref.kernel.shape), bias: host(ref.bias.data, ref.bias.shape), forgetBias: ref.forgetBias }, I,
    );
    const { ys, states } = recurrentOf(spec).run(stackToParams({ spec, params: { layers: [{ forward: params }] } }, backend), f32(ref.x));
    expectClose(ys.readSync(), ref.h.data, 'f32', 'h');
    const T = ref.c.shape[0]!;
    expectClose(states[0]!.forward.c!.readSync(), ref.c.data.slice(((T - 1) * ref.c.data.length) / T), 'f32', 'final c');
  });

  it('round trips exactly with forgetBias 0', () => {
    const spec: RecurrentSpec = { kind: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true };
    const p0 = randomStack(spec, 4).params.layers[0]!.forward;
    const p: Record<string, HostTensor> = { ...p0, bias_hh: host(new Float32Array(16), [16]) };
    const w = toBasicLstmCell(spec, p);
    expect(w.kernel.shape).toEqual([7, 16]);
    const back = fromBasicLstmCell(w, 3).params;
    for (const k of Object.keys(p)) expect(identical(p[k]!, back[k]!), k).toBe(true);
  });

  it('refuses peepholes', () => {
    const spec: RecurrentSpec = { kind: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, peepholes: true };
    expect(() => toBasicLstmCell(spec, randomStack(spec).params.layers[0]!.forward)).toThrow(/tfjs basicLSTMCell: conversion refused: basicLSTMCell has no peephole connections/);
  });
});

