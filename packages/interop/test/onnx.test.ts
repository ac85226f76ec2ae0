// ONNX: models from onnx.helper (tools/fixtures/onnx_helper.py) and torch.onnx.export
// (tools/fixtures/interop_torch.py), with outputs from onnxruntime-node
// (tools/fixtures/onnx_expected.mjs), import and reproduce onnxruntime; rnnkit networks exported to
// ONNX run in onnxruntime-node and match rnnkit; round trips are exact; refusals say why.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { tensor, type CellState, type Tensor } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import {
  ConversionRefused, exportOnnx, identical, importOnnx, runNetwork, type InteropNetwork, type RecurrentSpec, type RecurrentStack,
} from '../src/index.js';
import { backend, fixtureBytes, fixtureJson, permute, randomStack, type ArrayJson } from './helpers.js';

interface OnnxCase {
  inputs: Record<string, ArrayJson & { dtype: string }>;
  outputs: Record<string, ArrayJson>;
}

/** ONNX initial_h/initial_c [D, B, H] → rnnkit's per-direction states. */
function initialStates(ref: OnnxCase, D: number): { forward: CellState; reverse?: CellState }[] | undefined {
  const h = ref.inputs.initial_h;
  if (!h) return undefined;
  const c = ref.inputs.initial_c;
  const [, B, H] = h.shape as [number, number, number];
  const part = (a: ArrayJson, d: number) => tensor(backend, Float32Array.from(a.data.slice(d * B * H, (d + 1) * B * H)), [B, H], 'f32');
  const dir = (d: number): CellState => (c ? { h: part(h, d), c: part(c, d) } : { h: part(h, d) });
  return [D === 2 ? { forward: dir(0), reverse: dir(1) } : { forward: dir(0) }];
}

describe('ONNX models reproduce onnxruntime', () => {
  const cases: [string, Partial<RecurrentSpec>][] = [
    ['gru_lbr0', { kind: 'gru', resetAfter: false }],
    ['gru_lbr1', { kind: 'gru', resetAfter: true }],
    ['gru_lbr0_bi', { kind: 'gru', resetAfter: false, bidirectional: true }],
    ['lstm_peepholes', { kind: 'lstm', peepholes: true }],
    ['lstm_bi', { kind: 'lstm', bidirectional: true }],
    ['rnn_tanh', { kind: 'rnn', activation: 'tanh' }],
    ['rnn_relu_bi', { kind: 'rnn', activation: 'relu', bidirectional: true }],
  ];
  for (const [name, expected] of cases) {
    it(name, () => {
      const ref = fixtureJson<OnnxCase>(`onnx/${name}.json`);
      const { network } = importOnnx(fixtureBytes(`onnx/${name}.onnx`));
      const spec = network.stacks[0]!.spec;
      expect(spec).toMatchObject(expected);
      const D = spec.bidirectional ? 2 : 1;
      const x = ref.inputs.X!;
      const init = initialStates(ref, D);
      const ys = runNetwork(network, backend, tensor(backend, Float32Array.from(x.data), x.shape, 'f32'), init ? { initialStates: [init] } : {});
      // ONNX Y is [T, D, B, H]; rnnkit's ys is [T, B, D·H].
      const Y = ref.outputs.Y!;
      const want = permute(Y.data, Y.shape, [0, 2, 1, 3]);
      expectClose(ys.readSync(), want.data, 'f32', `${name} Y`);
    });
  }

  for (const name of ['torch_lm_lstm', 'torch_lm_gru', 'torch_lm_gru_bi']) {
    it(`${name} (torch.onnx.export): embedding → recurrent → linear`, () => {
      const ref = fixtureJson<OnnxCase>(`onnx/${name}.json`);
      const imp = importOnnx(fixtureBytes(`onnx/${name}.onnx`));
      expect(imp.network.embedding).toBeDefined();
      expect(imp.network.head?.bias).toBeDefined();
      expect(imp.network.stacks).toHaveLength(1);
      if (name === 'torch_lm_gru_bi') expect(imp.network.stacks[0]!.spec).toMatchObject({ numLayers: 2, bidirectional: true, resetAfter: true });
      const ids = ref.inputs.ids!;
      const out = runNetwork(imp.network, backend, tensor(backend, Int32Array.from(ids.data), ids.shape, 'i32'));
      expectClose(out.readSync(), ref.outputs.logits!.data, 'f32', name);
    });
  }

  it('refuses clip, naming the difference from cellClip', () => {
    const f = () => importOnnx(fixtureBytes('onnx/lstm_clip.onnx'));
    expect(f).toThrow(ConversionRefused);
    expect(f).toThrow(/clip = 3 clips the gates' pre-activations \(the cell inputs\); rnnkit's cellClip clips the cell state \(TensorFlow's cell_clip\), a different function/);
  });
  it('refuses activations rnnkit lacks', () => {
    expect(() => importOnnx(fixtureBytes('onnx/gru_relu.onnx'))).toThrow(/activations \[Sigmoid, Relu\] have no rnnkit counterpart: rnnkit's gru computes sigmoid, tanh/);
  });
  it('refuses input_forget', () => {
    expect(() => importOnnx(fixtureBytes('onnx/lstm_input_forget.onnx'))).toThrow(/input_forget = 1 couples the input and forget gates/);
  });
  it("refuses direction 'reverse' alone", () => {
    expect(() => importOnnx(fixtureBytes('onnx/lstm_reverse.onnx'))).toThrow(/direction 'reverse' runs a single direction backwards/);
  });
  it('fails on bytes that are not an ONNX model', () => {
    expect(() => importOnnx(new Uint8Array([1, 2, 3, 4, 5, 6, 7]))).toThrow(/ONNX model: /);
    expect(() => importOnnx(fixtureBytes('pytorch/lstm.safetensors'))).toThrow(/ONNX model: /);
  });
});

function net(specs: RecurrentSpec[], options: { embed?: boolean; head?: boolean } = {}): InteropNetwork {
  const stacks: RecurrentStack[] = specs.map((s, i) => randomStack(s, 11 + i));
  const E = specs[0]!.inputSize;
  const last = stacks[stacks.length - 1]!.spec;
  const K = (last.bidirectional ? 2 : 1) * (last.projSize || last.hiddenSize);
  const rnd = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 0.5);
  return {
    ...(options.embed ? { embedding: { weight: { shape: [6, E], data: rnd(6 * E, 1) } } } : {}),
    stacks,
    ...(options.head ? { head: { weight: { shape: [3, K], data: rnd(3 * K, 2) }, bias: { shape: [3], data: rnd(3, 3) } } } : {}),
  };
}

async function runOrt(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  const res = await session.run(feeds);
  return res[session.outputNames[0]!]!;
}

const base = { numLayers: 1, bidirectional: false, bias: true } as const;
const EXPORTS: [string, RecurrentSpec[], { embed?: boolean; head?: boolean }][] = [
  ['embedding → LSTM → linear', [{ ...base, kind: 'lstm', inputSize: 3, hiddenSize: 4 }], { embed: true, head: true }],
  ['embedding → 2-layer bidirectional GRU → linear', [{ ...base, kind: 'gru', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, resetAfter: true }], { embed: true, head: true }],
  ['reset-before GRU (linear_before_reset 0)', [{ ...base, kind: 'gru', inputSize: 3, hiddenSize: 4, resetAfter: false }], {}],
  ['LSTM with peepholes, bidirectional', [{ ...base, kind: 'lstm', inputSize: 3, hiddenSize: 4, bidirectional: true, peepholes: true }], { head: true }],
  ['relu RNN → tanh RNN (two stacks), no bias', [
    { ...base, kind: 'rnn', inputSize: 3, hiddenSize: 4, activation: 'relu', bias: false },
    { ...base, kind: 'rnn', inputSize: 4, hiddenSize: 5, activation: 'tanh' },
  ], { head: true }],
];

describe('rnnkit networks exported to ONNX run in onnxruntime-node', () => {
  const T = 5;
  const B = 2;
  for (const [title, specs, options] of EXPORTS) {
    it(title, async () => {
      const network = net(specs, options);
      const bytes = exportOnnx(network);
      let input: Tensor;
      let feeds: Record<string, ort.Tensor>;
      if (options.embed) {
        const ids = Array.from({ length: T * B }, (_, i) => (i * 5 + 1) % 6);
        input = tensor(backend, Int32Array.from(ids), [T, B], 'i32');
        feeds = { ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [T, B]) };
      } else {
        const I = specs[0]!.inputSize;
        const x = Float32Array.from({ length: T * B * I }, (_, i) => Math.cos(i * 0.7) * 1.5);
        input = tensor(backend, x, [T, B, I], 'f32');
        feeds = { x: new ort.Tensor('float32', x, [T, B, I]) };
      }
      const mine = runNetwork(network, backend, input);
      const theirs = await runOrt(bytes, feeds);
      expect([...theirs.dims]).toEqual(mine.shape);
      expectClose(mine.readSync(), theirs.data as Float32Array, 'f32', title);
      // …and the exported file imports back to identical parameters.
      const back = importOnnx(bytes).network;
      expect(back.stacks.map((s) => s.spec)).toEqual(network.stacks.map((s) => s.spec));
      network.stacks.forEach((s, i) =>
        s.params.layers.forEach((l, k) =>
          (['forward', 'reverse'] as const).forEach((d) => {
            const p = l[d];
            if (!p) return;
            for (const name of Object.keys(p)) expect(identical(p[name]!, back.stacks[i]!.params.layers[k]![d]![name]!), `${i}.${k}.${d}.${name}`).toBe(true);
          }),
        ),
      );
      if (network.embedding) expect(identical(network.embedding.weight, back.embedding!.weight)).toBe(true);
      if (network.head) {
        expect(identical(network.head.weight, back.head!.weight)).toBe(true);
        expect(identical(network.head.bias!, back.head!.bias!)).toBe(true);
      }
    });
  }

  it('ONNX → rnnkit → ONNX keeps every weight bit for bit', () => {
    const first = importOnnx(fixtureBytes('onnx/lstm_peepholes.onnx')).network;
    const second = importOnnx(exportOnnx(first)).network;
    const a = first.stacks[0]!.params.layers[0]!.forward;
    const b = second.stacks[0]!.params.layers[0]!.forward;
    for (const k of Object.keys(a)) expect(identical(a[k]!, b[k]!), k).toBe(true);
  });

  it('refuses cell clipping and projection', () => {
    const clip: RecurrentSpec = { ...base, kind: 'lstm', inputSize: 3, hiddenSize: 4, cellClip: 2 };
    expect(() => exportOnnx({ stacks: [randomStack(clip)] })).toThrow(ConversionRefused);
    expect(() => exportOnnx({ stacks: [randomStack(clip)] })).toThrow(
      /ONNX: conversion refused: rnnkit's cellClip clips the cell state c to ±2 after each update \(TensorFlow's cell_clip\), while the LSTM operator's 'clip' attribute clips the gates' pre-activations/,
    );
    const proj: RecurrentSpec = { ...base, kind: 'lstm', inputSize: 3, hiddenSize: 4, projSize: 2 };
    expect(() => exportOnnx({ stacks: [randomStack(proj)] })).toThrow(/ONNX: conversion refused: the LSTM operator has no projection/);
  });
});
