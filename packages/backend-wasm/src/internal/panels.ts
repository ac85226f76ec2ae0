import type { View } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';
import type { Engine } from './engine.js';
import { place2D } from './place.js';

/** Default for `PanelCache.limitBytes`. */
export const DEFAULT_PANEL_CACHE_BYTES = 64 * 2 ** 20;

interface Kept {
  readonly handle: object;
  readonly key: string;
  readonly ptr: number;
  readonly bytes: number;
}

/** Which view of its tensor a B operand is (the tensor itself is the handle). */
function keyOf(b: View<WasmHandle>): string {
  return `${b.offset}:${b.shape.join('x')}:${b.strides.join(',')}`;
}

/**
 * GEMM right operands (weights) packed into panels and kept in pinned engine memory across calls.
 * Inference and sampling call with the same weights again and again, and packing them anew costs a
 * copy in and a pass over each every call: most of a one-character sampling step at H = 256, 1 % of
 * an LSTM-h256 inference batch. Tensors are immutable, so kept panels never go stale. A view is
 * kept the second time it is packed: a training step packs each weight once per layout, and its
 * weights are new every step, so nothing is kept for it. Past the limit the least recently used go
 * first; a tensor's are dropped when it is freed.
 */
export class PanelCache {
  /** Most bytes kept (0: nothing is kept). */
  limitBytes = DEFAULT_PANEL_CACHE_BYTES;
  /** Views packed once, by tensor. */
  private readonly seen = new WeakMap<object, Set<string>>();
  /** Least recently used first. */
  private readonly kept: Kept[] = [];

  constructor(private readonly e: Engine) {}

  /** The kept panels of b [K, N] (marked as just used), or 0. */
  find(b: View<WasmHandle>): number {
    return this.use(b.handle, keyOf(b));
  }

  /** The kept panels of this view of this tensor, moved to the most recently used end; or 0. */
  private use(handle: object, key: string): number {
    const i = this.kept.findIndex((k) => k.handle === handle && k.key === key);
    if (i < 0) return 0;
    const k = this.kept.splice(i, 1)[0]!;
    this.kept.push(k);
    return k.ptr;
  }

  /**
   * Keeps b's panels from now on if this view of this tensor was packed before. Only before a call
   * takes scratch (the panels are pinned); does nothing when they cannot be pinned.
   */
  keep(b: View<WasmHandle>): void {
    const key = keyOf(b);
    if (this.limitBytes <= 0 || this.use(b.handle, key) !== 0) return;
    const keys = this.seen.get(b.handle) ?? new Set<string>();
    this.seen.set(b.handle, keys);
    if (!keys.has(key)) {
      keys.add(key);
      return;
    }
    const [K, N] = b.shape as [number, number];
    const n = this.e.ops.packedLength(K, N);
    const bytes = n * this.e.elementBytes;
    if (bytes > this.limitBytes || !this.e.canPin()) return;
    while (this.bytes() + bytes > this.limitBytes) this.evict(this.kept[0]!);
    const ptr = this.e.pin(n);
    if (ptr === 0) return;
    const m = this.e.mark();
    try {
      const B = place2D(this.e, b);
      this.e.ops.packB(B.ptr, B.s0, B.s1, K, N, ptr);
    } catch (err) {
      this.e.unpin(ptr);
      throw err;
    } finally {
      this.e.release(m);
    }
    this.kept.push({ handle: b.handle, key, ptr, bytes });
  }

  /** Forgets a freed tensor: its kept panels are unpinned. */
  drop(handle: object): void {
    this.seen.delete(handle);
    for (const k of this.kept.filter((x) => x.handle === handle)) this.evict(k);
  }

  /** Bytes of panels kept. */
  bytes(): number {
    return this.kept.reduce((sum, k) => sum + k.bytes, 0);
  }

  private evict(k: Kept): void {
    this.kept.splice(this.kept.indexOf(k), 1);
    this.e.unpin(k.ptr);
  }
}

/** The panels of b [K, N] for a GEMM: kept ones, else packed into scratch now. */
export function panelsOf(e: Engine, b: View<WasmHandle>): number {
  const kept = e.panels.find(b);
  if (kept !== 0) return kept;
  const [K, N] = b.shape as [number, number];
  const B = place2D(e, b);
  return e.packed(B.ptr, B.s0, B.s1, K, N);
}
