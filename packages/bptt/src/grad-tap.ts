import { customVjp } from '@rnnkit/autograd';
import { reshape, type Tensor } from '@rnnkit/tensor';

/**
 * Identity on the way forward; on the way back it shows `onGrad` the cotangents arriving at its
 * outputs (null where none does) and passes them through. Inserted only when someone listens, so
 * an untapped scan pays nothing.
 */
export function gradTap(xs: readonly Tensor[], onGrad: (cotangents: readonly (Tensor | null)[]) => void): Tensor[] {
  const identity = customVjp('gradTap', (...ins) => ({ outputs: ins.map((x) => reshape(x, x.shape)) }), {
    vjp: (cts) => {
      onGrad(cts);
      return cts.map((g) => (g ? reshape(g, g.shape) : null));
    },
    jvp: (ts) => ts.map((t) => (t ? reshape(t, t.shape) : null)),
  });
  return identity(...xs);
}
