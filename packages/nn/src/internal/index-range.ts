import { fail, fmtShape, type Tensor } from '@rnnkit/tensor';

// Multi-index of flat element `i` of `shape`, for messages.
function position(shape: readonly number[], i: number): string {
  const idx: number[] = [];
  for (let a = shape.length - 1; a >= 0; a--) {
    idx.unshift(i % shape[a]!);
    i = Math.floor(i / shape[a]!);
  }
  return fmtShape(idx);
}

/**
 * Checks that i32 `indices` lie in [0, bound) (or equal `except`, or sit where `exempt` is 0), where
 * reading them is free (backends with synchronous reads); elsewhere the check is skipped, like the ops' own.
 */
export function checkIndexRange(op: string, role: string, indices: Tensor, bound: number, what: string, except?: number, exempt?: Tensor): void {
  if (!indices.backend.readSync) return;
  const values = indices.readSync();
  const skip = exempt?.readSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if ((v < 0 || v >= bound) && v !== except && skip?.[i] !== 0)
      fail(`${op}: ${role} holds ${v} at ${position(indices.shape, i)}, outside [0, ${bound}) ${what}${except === undefined ? '' : ` (and not the ignoreIndex ${except})`}.`);
  }
}
