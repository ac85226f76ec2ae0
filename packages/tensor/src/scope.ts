import type { Tensor } from './tensor.js';

// The open scopes, innermost last. A helper, not a registry: it only remembers what to dispose.
// A null entry is a barrier: tensors created under it belong to no scope (see `unscoped`).
const scopes: (Set<Tensor> | null)[] = [];

export function trackInScope(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
}

/**
 * Runs `fn` outside every open scope: tensors it creates are the caller's alone and survive the
 * scopes around it. Callbacks such as taps use it, so what a tap keeps is not freed under it.
 */
export function unscoped<R>(fn: () => R): R {
  scopes.push(null);
  try {
    return fn();
  } finally {
    scopes.pop();
  }
}

/** Every tensor reachable from a value: a tensor, or arrays/objects holding tensors. */
export function tensorsIn(value: unknown, out: Set<Tensor> = new Set()): Set<Tensor> {
  if (value === null || typeof value !== 'object') return out;
  if (isTensor(value)) out.add(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) tensorsIn(v, out);
  return out;
}

function isTensor(v: object): v is Tensor {
  return typeof (v as Tensor).view === 'function' && typeof (v as Tensor).retain === 'function';
}

/**
 * Runs `fn` and disposes every tensor it created except those in its result (which move to the
 * enclosing scope) and those passed to `keep()`. Use it around a training step to free intermediates.
 */
export function scope<R>(fn: () => R): R {
  const created = new Set<Tensor>();
  scopes.push(created);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of created) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) throw new TypeError('scope(fn): fn returned a Promise; scopes are synchronous. Await outside the scope.');
  const kept = tensorsIn(result);
  for (const t of created) {
    if (kept.has(t)) trackInScope(t);
    else t.dispose();
  }
  return result;
}

/** Removes tensors from the current scope, so it does not dispose them; returns its argument. */
export function keep<T>(value: T): T {
  const inner = scopes[scopes.length - 1];
  if (inner) for (const t of tensorsIn(value)) inner.delete(t);
  return value;
}
