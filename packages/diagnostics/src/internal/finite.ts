import { cast, stack, type Tensor } from '@rnnkit/tensor';
import { finiteFlag, observe } from './device.js';

/** Whether each tensor is entirely finite, with one device read. */
export async function finiteFlags(ts: readonly Tensor[]): Promise<boolean[]> {
  const floats = ts.filter((t) => t.dtype === 'f32' || t.dtype === 'f64');
  if (floats.length === 0) return ts.map(() => true);
  const packed = observe(() => stack(floats.map((t) => (t.dtype === 'f32' ? finiteFlag(t) : cast(finiteFlag(t), 'f32'))), 0));
  let v: ArrayLike<number>;
  try {
    v = await packed.read();
  } finally {
    packed.dispose();
  }
  let k = 0;
  return ts.map((t) => (t.dtype === 'f32' || t.dtype === 'f64' ? v[k++] === 0 : true));
}
