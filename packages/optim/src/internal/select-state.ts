import { fail, where, type Tensor } from '@rnnkit/tensor';
import { isTensor } from './is-tensor.js';

/**
 * cond ? a : b over two states of the same transform, tensor by tensor (cond is a 0-d bool
 * tensor, so the choice stays on the device). Plain values must agree: they never depend on data.
 */
export function selectState<S>(op: string, cond: Tensor, a: S, b: S, path = ''): S {
  if (isTensor(a) && isTensor(b)) return where(cond, a, b) as S;
  const at = path || '(root)';
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) fail(`${op}: state entry '${at}' changed length (${b.length} to ${a.length}); a transform's state must keep its structure.`);
    return a.map((v: unknown, i) => selectState(op, cond, v, b[i] as unknown, path ? `${path}.${i}` : String(i))) as S;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) {
      if (!(k in b)) fail(`${op}: state entry '${path ? `${path}.${k}` : k}' appeared during update; a transform's state must keep its structure.`);
      out[k] = selectState(op, cond, v, b[k], path ? `${path}.${k}` : k);
    }
    return out as S;
  }
  if (Object.is(a, b)) return a;
  return fail(`${op}: state entry '${at}' is a plain value that changed during update (${String(b)} to ${String(a)}); state that changes must be tensors so the choice can stay on the device.`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}
