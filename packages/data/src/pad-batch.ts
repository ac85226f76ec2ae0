import { fail } from '@rnnkit/tensor';
import { hostTensor, type HostTensor } from './host-tensor.js';
import { nonNegativeInt, positiveInt } from './internal/checks.js';

/** How a batch of id sequences is laid out. */
export interface PadOptions {
  /** The id written into padded steps (default 0, the `<pad>` of a default vocabulary). */
  readonly padId?: number;
  /** 'batch-major' gives ids [B, T] (default); 'time-major' gives [T, B], what `scan` takes. */
  readonly layout?: 'batch-major' | 'time-major';
  /** Data first and padding after it ('right', the default), or padding first ('left'). */
  readonly padding?: 'right' | 'left';
  /** Sequences longer than this keep their first `maxLength` ids. */
  readonly maxLength?: number;
  /** Pad to at least this many steps (a fixed T); by default T is the longest sequence. */
  readonly minLength?: number;
}

/**
 * A padded batch of sequences, on the host. Pass `mask` or `lengths` (with `padding`) to
 * `@rnnkit/bptt`'s `scan` and `uploadBatch` to get tensors.
 */
export interface SequenceBatch {
  /** i32 ids, [B, T] or [T, B] by `layout`; padded steps hold `padId`. */
  readonly ids: HostTensor<'i32'>;
  /** Which steps hold data: bool [B, T] in both layouts (the mask `scan` takes). */
  readonly mask: HostTensor<'bool'>;
  /** Valid steps per row, [B] on the host (`scan`'s `lengths`). */
  readonly lengths: Int32Array;
  /** The index of each row's sequence in the input, [B]: use it to gather labels. */
  readonly indices: Int32Array;
  readonly layout: 'batch-major' | 'time-major';
  readonly padding: 'right' | 'left';
}

/**
 * Pads sequences of ids to one length T and stacks them, producing the ids, a mask and the
 * lengths. Every sequence needs at least one id (`scan` takes lengths in [1, T]); filter empty
 * ones out first.
 *
 * @example
 * const batch = padBatch([[5, 6, 7], [8]], { layout: 'time-major' });
 * // batch.ids: [3, 2] = [[5, 8], [6, 0], [7, 0]]; batch.lengths: [3, 1]; batch.mask: [2, 3]
 */
export function padBatch(sequences: readonly ArrayLike<number>[], options: PadOptions = {}, indices?: ArrayLike<number>): SequenceBatch {
  const op = 'padBatch';
  const { padId = 0, layout = 'batch-major', padding = 'right', maxLength, minLength = 0 } = options;
  if (!Number.isInteger(padId)) fail(`${op}: padId must be an integer, got ${String(padId)}.`);
  if (layout !== 'batch-major' && layout !== 'time-major') fail(`${op}: layout must be 'batch-major' or 'time-major', got ${JSON.stringify(layout)}.`);
  if (padding !== 'right' && padding !== 'left') fail(`${op}: padding must be 'right' or 'left', got ${JSON.stringify(padding)}.`);
  if (maxLength !== undefined) positiveInt(op, 'maxLength', maxLength);
  nonNegativeInt(op, 'minLength', minLength);
  const B = sequences.length;
  if (B === 0) fail(`${op}: the batch is empty; pass at least one sequence.`);
  const rows = indices ? Int32Array.from(indices) : Int32Array.from({ length: B }, (_, i) => i);
  if (rows.length !== B) fail(`${op}: ${rows.length} indices for ${B} sequences.`);
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const n = sequences[b]!.length;
    if (n === 0) fail(`${op}: sequence ${rows[b]} is empty; every sequence needs at least one id (filter empty ones out first).`);
    lengths[b] = maxLength === undefined ? n : Math.min(n, maxLength);
  }
  const T = Math.max(minLength, ...lengths);
  const ids = new Int32Array(B * T).fill(padId);
  const mask = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) {
    const seq = sequences[b]!;
    const n = lengths[b]!;
    const shift = padding === 'left' ? T - n : 0;
    for (let i = 0; i < n; i++) {
      const v = seq[i]!;
      if (!Number.isInteger(v)) fail(`${op}: sequence ${rows[b]} holds ${String(v)} at position ${i}; ids must be integers.`);
      const t = i + shift;
      ids[layout === 'time-major' ? t * B + b : b * T + t] = v;
      mask[b * T + t] = 1;
    }
  }
  return {
    ids: hostTensor(ids, layout === 'time-major' ? [T, B] : [B, T]),
    mask: hostTensor(mask, [B, T]),
    lengths,
    indices: rows,
    layout,
    padding,
  };
}
