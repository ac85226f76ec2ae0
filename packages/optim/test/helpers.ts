import { createCpuBackend } from '@rnnkit/backend-cpu';
import { tensor, treeFlatten, type Backend, type ParamTree, type Tensor } from '@rnnkit/tensor';

export interface FixtureTensor {
  readonly shape: number[];
  readonly data: number[];
}

export const backend: Backend = createCpuBackend();

export function upload(tree: Record<string, FixtureTensor>, be: Backend = backend): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, tensor(be, Float64Array.from(v.data), v.shape, 'f64')]));
}

/** Leaves by path as plain arrays. */
export async function readTree(tree: ParamTree): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [path, t] of treeFlatten(tree)) out[path] = Array.from(await t.read());
  return out;
}

export function maxDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}
