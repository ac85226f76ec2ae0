import { uniform, type Backend, type DType, type Rng, type Tensor } from '@rnnkit/tensor';

/** PyTorch's recurrent init: every weight and bias U(−1/√H, 1/√H), drawn in the order given. */
export function uniformParams<K extends string>(
  rng: Rng,
  backend: Backend,
  hiddenSize: number,
  dtype: DType,
  shapes: Readonly<Record<K, readonly number[] | null>>,
): Record<K, Tensor> {
  const k = 1 / Math.sqrt(hiddenSize);
  const out = {} as Record<K, Tensor>;
  for (const name of Object.keys(shapes) as K[]) {
    const shape = shapes[name];
    if (shape) out[name] = uniform(rng, backend, shape, -k, k, { dtype });
  }
  return out;
}

