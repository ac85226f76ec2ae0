import { sizeOf } from '@rnnkit/tensor';
import type { View } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';
import type { Engine } from './engine.js';
import { copyInto, isContiguous } from './strided.js';

/**
 * A contiguous operand the call only reads: where it already is in engine memory when it is the
 * engine's kept result (see `Engine.withResult`), else copied into scratch.
 */
export function placeReadOnly(e: Engine, view: View<WasmHandle>): number {
  const kept = isContiguous(view) ? e.residentPtr(view.handle, view.offset) : undefined;
  if (kept !== undefined) return kept;
  const ptr = e.alloc(sizeOf(view.shape));
  copyInto(view, e.f(), e.at(ptr));
  return ptr;
}
