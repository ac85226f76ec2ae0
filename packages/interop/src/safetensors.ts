import { decodeSafetensors, encodeSafetensors, type SafetensorsEntry } from '@rnnkit/io';
import type { HostTensor } from './host.js';
import { fromPytorchNetworkStateDict, toPytorchNetworkStateDict, type PytorchImportOptions, type PytorchNetworkNames } from './pytorch.js';
import { formatError, type InteropNetwork } from './spec.js';

/**
 * The f32 tensors of a safetensors file (what `safetensors.torch.save_file(model.state_dict())`
 * writes), decoded by @rnnkit/io. Tensors of another dtype are refused by name: converting them
 * to f32 would not be exact.
 */
export function readSafetensorsF32(bytes: Uint8Array, source?: string): Map<string, HostTensor> {
  const { tensors } = decodeSafetensors(bytes, { op: 'importPytorch', ...(source ? { source } : {}) });
  const out = new Map<string, HostTensor>();
  for (const [name, t] of tensors) {
    if (t.dtype !== 'f32') formatError(`importPytorch: tensor '${name}' is ${t.dtype}; interop reads f32 weights only (save the model with model.float()).`);
    out.set(name, { shape: [...t.shape], data: t.data as Float32Array });
  }
  return out;
}

/**
 * Imports a network from a PyTorch safetensors file. `names` gives the module names of the
 * embedding, the recurrent stacks and the linear head (e.g. `{ embedding: 'embedding',
 * stacks: ['rnn'], head: 'linear' }`); without `stacks`, every nn.RNN/LSTM/GRU found is one.
 *
 * @example
 * const net = importPytorchSafetensors(readFileSync('lm.safetensors'), { embedding: 'embedding', head: 'linear' });
 */
export function importPytorchSafetensors(
  bytes: Uint8Array,
  names: Partial<PytorchNetworkNames> = {},
  options: Omit<PytorchImportOptions, 'prefix'> = {},
): InteropNetwork {
  return fromPytorchNetworkStateDict(readSafetensorsF32(bytes), names, options);
}

/**
 * Writes a network as a PyTorch safetensors file (`model.load_state_dict(safetensors.torch.load_file(path))`
 * loads it into a module with the same names). Refuses what nn.RNN/LSTM/GRU cannot compute.
 */
export function exportPytorchSafetensors(net: InteropNetwork, names: PytorchNetworkNames): Uint8Array {
  const entries = new Map<string, SafetensorsEntry>();
  for (const [k, v] of toPytorchNetworkStateDict(net, names)) entries.set(k, { dtype: 'f32', shape: v.shape, data: v.data });
  return encodeSafetensors(entries, { format: 'pt' });
}
