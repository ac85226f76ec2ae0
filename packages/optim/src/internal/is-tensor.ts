import type { Tensor } from '@rnnkit/tensor';

// Duck-typed like tensor's own tree helpers, so two copies of @rnnkit/tensor in one app still agree.
export function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && typeof (v as Tensor).retain === 'function' && typeof (v as Tensor).view === 'function';
}
