// Bad files get errors that name the tensor and the expected and actual shapes.
import { describe, expect, it } from 'vitest';
import { encodeSafetensors, type SafetensorsEntry } from '@rnnkit/io';
import { InteropFormatError, fromOnnxLayer, host, importPytorchSafetensors, readSafetensorsF32 } from '../src/index.js';
import { fixtureBytes } from './helpers.js';

function withTensors(edit: (m: Map<string, SafetensorsEntry>) => void): Uint8Array {
  const m = new Map<string, SafetensorsEntry>();
  for (const [k, v] of readSafetensorsF32(fixtureBytes('pytorch/lstm_2layer_bi.safetensors'))) m.set(k, { dtype: 'f32', shape: v.shape, data: v.data });
  edit(m);
  return encodeSafetensors(m);
}

describe('bad PyTorch files', () => {
  it('wrong format', () => {
    expect(() => importPytorchSafetensors(fixtureBytes('onnx/gru_lbr0.onnx'))).toThrow(/importPytorch: the data /);
  });
  it('missing tensor', () => {
    const bytes = withTensors((m) => m.delete('bias_hh_l1_reverse'));
    expect(() => importPytorchSafetensors(bytes)).toThrow(InteropFormatError);
    expect(() => importPytorchSafetensors(bytes)).toThrow(/missing tensor 'bias_hh_l1_reverse' \(expected shape \[16\]\)/);
  });
  it('shape mismatch', () => {
    const bytes = withTensors((m) => m.set('weight_ih_l1', { dtype: 'f32', shape: [16, 4], data: new Float32Array(64) }));
    expect(() => importPytorchSafetensors(bytes)).toThrow(/tensor 'weight_ih_l1' has shape \[16, 4\], expected \[16, 8\]/);
  });
  it('no recurrent module', () => {
    const bytes = encodeSafetensors({ 'linear.weight': { dtype: 'f32', shape: [2, 2], data: new Float32Array(4) } });
    expect(() => importPytorchSafetensors(bytes)).toThrow(/no nn\.RNN\/LSTM\/GRU tensors/);
  });
  it('non-f32 weights', () => {
    const bytes = withTensors((m) => m.set('weight_ih_l0', { dtype: 'f64', shape: [16, 3], data: new Float64Array(48) }));
    expect(() => importPytorchSafetensors(bytes)).toThrow(/tensor 'weight_ih_l0' is f64; interop reads f32 weights only/);
  });
});

describe('bad ONNX weights', () => {
  it('names W and both shapes', () => {
    const W = host(new Float32Array(2 * 16 * 3), [2, 16, 3]);
    const R = host(new Float32Array(16 * 4), [1, 16, 4]);
    expect(() => fromOnnxLayer('LSTM', { hidden_size: 4 }, { W, R }, 'lstm0')).toThrow(/ONNX LSTM node 'lstm0': tensor 'W' has shape \[2, 16, 3\], expected \[1, 16, 3\]/);
  });
});
