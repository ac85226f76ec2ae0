// PyTorch: state dicts written by tools/fixtures/interop_torch.py (real nn.RNN/LSTM/GRU modules,
// saved in the safetensors layout) import and reproduce torch's outputs; rnnkit → PyTorch →
// rnnkit round trips are bitwise exact; what nn.* cannot compute is refused.
import { describe, expect, it } from 'vitest';
import { expectClose } from '@rnnkit/testing';
import {
  ConversionRefused, exportPytorchSafetensors, fromPytorchStateDict, identical, importPytorchSafetensors, readSafetensorsF32, recurrentOf,
  runNetwork, stackToParams, toPytorchStateDict, type RecurrentSpec, type RecurrentStack,
} from '../src/index.js';
import { backend, f32, fixtureBytes, fixtureJson, i32, randomStack, type ArrayJson } from './helpers.js';

interface TorchCase {
  config: { kind: string; hiddenSize: number; numLayers: number; bidirectional: boolean; projSize: number; nonlinearity: string | null };
  x: ArrayJson;
  out: ArrayJson;
  hn: ArrayJson;
  cn?: ArrayJson;
}

const CASES = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru', 'lstm_2layer_bi', 'gru_2layer_bi', 'rnn_2layer_bi', 'lstm_proj', 'lstm_proj_2layer_bi'];

function expectSameStack(a: RecurrentStack, b: RecurrentStack): void {
  expect(b.spec).toEqual(a.spec);
  a.params.layers.forEach((l, k) => {
    for (const dir of ['forward', 'reverse'] as const) {
      const pa = l[dir];
      const pb = b.params.layers[k]![dir];
      if (!pa) {
        expect(pb).toBeUndefined();
        continue;
      }
      expect(Object.keys(pb!).sort()).toEqual(Object.keys(pa).sort());
      for (const name of Object.keys(pa)) expect(identical(pa[name]!, pb![name]!), `layers[${k}].${dir}.${name}`).toBe(true);
    }
  });
}

describe('PyTorch safetensors fixtures reproduce torch', () => {
  for (const name of CASES) {
    it(name, () => {
      const ref = fixtureJson<TorchCase>(`pytorch/${name}.json`);
      const net = importPytorchSafetensors(fixtureBytes(`pytorch/${name}.safetensors`), {}, { activation: ref.config.nonlinearity === 'relu' ? 'relu' : 'tanh' });
      expect(net.stacks).toHaveLength(1);
      const stack = net.stacks[0]!;
      expect(stack.spec.kind).toBe(ref.config.kind);
      expect(stack.spec.numLayers).toBe(ref.config.numLayers);
      expect(stack.spec.bidirectional).toBe(ref.config.bidirectional);
      expect(stack.spec.projSize ?? 0).toBe(ref.config.projSize);
      const { ys, states } = recurrentOf(stack.spec).run(stackToParams(stack, backend), f32(ref.x));
      expectClose(ys.readSync(), ref.out.data, 'f32', `${name} out`);
      // hn: [layers·directions, B, ·], layer-major, forward before reverse.
      const hs = states.flatMap((s) => (s.reverse ? [s.forward, s.reverse] : [s.forward]));
      expectClose(hs.flatMap((s) => Array.from(s.h!.readSync())), ref.hn.data, 'f32', `${name} hn`);
      if (ref.cn) expectClose(hs.flatMap((s) => Array.from(s.c!.readSync())), ref.cn.data, 'f32', `${name} cn`);
    });
  }

  for (const name of ['lm_lstm', 'lm_gru', 'lm_gru_bi']) {
    it(`${name}: embedding → ${name.slice(3)} → linear`, () => {
      const ref = fixtureJson<{ ids: ArrayJson; logits: ArrayJson }>(`pytorch/${name}.json`);
      const net = importPytorchSafetensors(fixtureBytes(`pytorch/${name}.safetensors`), { embedding: 'embedding', head: 'linear' });
      expect(net.stacks).toHaveLength(1);
      const logits = runNetwork(net, backend, i32(ref.ids));
      expectClose(logits.readSync(), ref.logits.data, 'f32', name);
    });
  }
});

const ROUND_TRIP_SPECS: RecurrentSpec[] = [
  { kind: 'rnn', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, activation: 'tanh' },
  { kind: 'rnn', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, activation: 'relu' },
  { kind: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true },
  { kind: 'lstm', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2 },
  { kind: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: false },
  { kind: 'gru', inputSize: 3, hiddenSize: 4, numLayers: 3, bidirectional: false, resetAfter: true },
  { kind: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, bidirectional: true, resetAfter: true, bias: false },
];

function fullSpec(s: RecurrentSpec): RecurrentSpec {
  // What an import reports: every optional field PyTorch determines.
  return {
    ...s,
    bias: s.bias !== false,
    ...(s.kind === 'gru' ? { resetAfter: true } : {}),
    ...(s.kind === 'rnn' ? { activation: s.activation ?? 'tanh' } : {}),
  };
}

describe('rnnkit → PyTorch → rnnkit is exact', () => {
  for (const spec of ROUND_TRIP_SPECS) {
    it(`${spec.kind} L${spec.numLayers}${spec.bidirectional ? ' bi' : ''}${spec.projSize ? ' proj' : ''}${spec.bias === false ? ' no-bias' : ''}`, () => {
      const stack = randomStack(fullSpec(spec), 3);
      const bytes = exportPytorchSafetensors({ stacks: [stack] }, { stacks: ['rnn'] });
      const tensors = readSafetensorsF32(bytes);
      expect([...tensors.keys()].every((k) => /^rnn\.(weight|bias)_(ih|hh|hr)_l\d(_reverse)?$/.test(k))).toBe(true);
      const back = importPytorchSafetensors(bytes, { stacks: ['rnn'] }, { activation: spec.activation ?? 'tanh' });
      expectSameStack(stack, back.stacks[0]!);
    });
  }

  it('names tensors as nn.LSTM state_dict() does', () => {
    const stack = randomStack({ kind: 'lstm', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2, bias: true }, 1);
    const names = [...toPytorchStateDict(stack).keys()].sort();
    const ref = [...readSafetensorsF32(fixtureBytes('pytorch/lstm_proj_2layer_bi.safetensors')).keys()].sort();
    expect(names).toEqual(ref);
  });

  it('PyTorch → rnnkit → PyTorch gives back every tensor bit for bit', () => {
    const tensors = readSafetensorsF32(fixtureBytes('pytorch/lstm_2layer_bi.safetensors'));
    const again = toPytorchStateDict(fromPytorchStateDict(tensors));
    expect([...again.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [k, v] of tensors) expect(identical(v, again.get(k)!), k).toBe(true);
  });
});

describe('conversions to PyTorch that cannot be exact are refused', () => {
  const refused = (spec: RecurrentSpec) => () => toPytorchStateDict(randomStack(spec));
  it('reset-before GRU', () => {
    const f = refused({ kind: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, bidirectional: false, resetAfter: false, bias: true });
    expect(f).toThrow(ConversionRefused);
    expect(f).toThrow(/PyTorch: conversion refused: nn\.GRU is reset-after .* this GRU is reset-before .* a different function/);
  });
  it('peepholes', () => {
    expect(refused({ kind: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 1, bidirectional: false, peepholes: true, bias: true })).toThrow(
      /PyTorch: conversion refused: nn\.LSTM has no peephole connections/,
    );
  });
  it('cell clipping', () => {
    expect(refused({ kind: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 1, bidirectional: false, cellClip: 3, bias: true })).toThrow(
      /PyTorch: conversion refused: nn\.LSTM cannot clip its cell state; this LSTM clips c to ±3/,
    );
  });
});
