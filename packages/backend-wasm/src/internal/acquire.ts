import type { DType, TypedArrayFor } from '@rnnkit/tensor';

/**
 * Gives a kernel an output array it will overwrite entirely: the backend's pool recycles freed
 * storage through it (`allocate` is the plain, always-fresh choice).
 */
export type Acquire = <D extends DType>(dtype: D, size: number) => TypedArrayFor[D];
