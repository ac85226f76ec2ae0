import type { Backend } from '../backend.js';
import { tensor } from './create.js';
import type { Tensor } from '../tensor.js';

/** Copies a tensor to another backend (through the host); the original stays yours. */
export async function toBackend(x: Tensor, backend: Backend): Promise<Tensor> {
  return tensor(backend, await x.read(), x.shape, x.dtype);
}
