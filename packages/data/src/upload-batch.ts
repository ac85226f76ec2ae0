import { tensor, type Backend, type Tensor } from '@rnnkit/tensor';
import { isHostTensor, type HostTensor } from './host-tensor.js';

/** A batch with every `HostTensor` field replaced by a `Tensor`; other fields (lengths, indices) unchanged. */
export type Uploaded<T> = { readonly [K in keyof T]: T[K] extends HostTensor ? Tensor : T[K] };

/**
 * Uploads the `HostTensor` fields of a batch (a `SequenceBatch`, `StreamWindow`, `WindowBatch`
 * or your own object) to `backend`. Host-side fields such as `lengths` stay as they are, which is
 * where `scan` wants them. The caller owns the tensors: dispose them after the step (or `scope()`).
 *
 * @example
 * const w = stream.nextWindow();
 * const { inputs, targets } = uploadBatch(w, backend); // Tensors [T, B] i32
 */
export function uploadBatch<T extends object>(batch: T, backend: Backend): Uploaded<T> {
  const out: Record<string, unknown> = {};
  const made: Tensor[] = [];
  try {
    for (const [key, value] of Object.entries(batch)) {
      if (isHostTensor(value)) {
        const t = tensor(backend, value.data, value.shape, value.dtype);
        made.push(t);
        out[key] = t;
      } else out[key] = value;
    }
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
  return out as Uploaded<T>;
}
