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

/**
 * Places a 2-D view in scratch memory and says how to address it: element (r, c) at
 * ptr + (r·s0 + c·s1) elements. A transposed or row-sliced view whose storage span is small is
 * copied as it lies (so NT and TN products need no transposition pass); anything else is gathered
 * into a contiguous block first.
 */
export function place2D(e: Engine, view: View<WasmHandle>): { ptr: number; s0: number; s1: number } {
  const [R, C] = view.shape as [number, number];
  const [s0, s1] = view.strides as [number, number];
  const size = R * C;
  if (s0 >= 0 && s1 >= 0 && size > 0) {
    // Still in engine memory from the call that made it: read it where it is.
    const kept = e.residentPtr(view.handle, view.offset);
    if (kept !== undefined) return { ptr: kept, s0, s1 };
    const span = (R - 1) * s0 + (C - 1) * s1 + 1;
    if (span <= size + size / 2 + 16) {
      const ptr = e.alloc(span);
      e.f().set(view.handle.data.subarray(view.offset, view.offset + span), e.at(ptr));
      return { ptr, s0, s1 };
    }
  }
  const ptr = e.alloc(size);
  copyInto(view, e.f(), e.at(ptr));
  return { ptr, s0: C, s1: 1 };
}
