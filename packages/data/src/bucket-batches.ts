import { fail, type Rng } from '@rnnkit/tensor';
import { positiveInt } from './internal/checks.js';
import { rngOf } from './internal/rng-of.js';
import { padBatch, type PadOptions, type SequenceBatch } from './pad-batch.js';

/** Options of `bucketBatches` and `bucketIndices`. */
export interface BucketOptions {
  /** Sequences per batch (B). */
  readonly batchSize: number;
  /**
   * Width of a length bucket: sequences of lengths 1…w share bucket 0, w+1…2w bucket 1, and so
   * on, and a batch never mixes buckets. Default: one bucket, so batches are cut from the
   * length-sorted list (the least padding).
   */
  readonly bucketWidth?: number;
  /**
   * Shuffle from this seed or Rng: equal-length sequences are ordered randomly and the batches
   * come in random order. Without it the order is by length, the same every time.
   */
  readonly shuffle?: number | Rng;
  /** Leave out batches with fewer than `batchSize` sequences (default false). */
  readonly dropLast?: boolean;
}

/**
 * Plans batches of similar-length sequences: returns, per batch, the indices of its sequences.
 * Only the lengths are needed, so a large corpus can be planned before it is encoded.
 */
export function bucketIndices(lengths: ArrayLike<number>, options: BucketOptions): Int32Array[] {
  const op = 'bucketIndices';
  const B = positiveInt(op, 'batchSize', options.batchSize);
  const width = options.bucketWidth ?? Infinity;
  if (!(width >= 1)) fail(`${op}: bucketWidth must be at least 1, got ${String(width)}.`);
  const rng = options.shuffle === undefined ? undefined : rngOf(op, options.shuffle);
  const n = lengths.length;
  for (let i = 0; i < n; i++) {
    const len = lengths[i]!;
    if (!Number.isInteger(len) || len < 0) fail(`${op}: length ${i} is ${String(len)}; lengths must be integers ≥ 0.`);
  }
  const order = rng ? Array.from(rng.permutation(n)) : Array.from({ length: n }, (_, i) => i);
  // Stable sort: ties keep the (shuffled) order.
  order.sort((a, b) => lengths[a]! - lengths[b]!);
  const bucketOf = (i: number) => (width === Infinity ? 0 : Math.floor(Math.max(0, lengths[i]! - 1) / width));
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; ) {
    const bucket = bucketOf(order[start]!);
    let end = start;
    while (end < n && end - start < B && bucketOf(order[end]!) === bucket) end++;
    if (end - start === B || !options.dropLast) batches.push(Int32Array.from(order.slice(start, end)));
    start = end;
  }
  if (!rng) return batches;
  const shuffled = rng.permutation(batches.length);
  return Array.from(shuffled, (i) => batches[i]!);
}

/**
 * Cuts variable-length sequences into padded batches of similar lengths (bucketing), so little
 * compute goes to padding. Each batch carries ids, a mask, the lengths and the indices of its
 * sequences (see `SequenceBatch`). Deterministic: the same seed gives the same batches.
 *
 * @example
 * const seqs = lines.map((l) => vocab.encode(l));
 * const rng = createRng(0);
 * for (let epoch = 0; epoch < 3; epoch++)
 *   for (const batch of bucketBatches(seqs, { batchSize: 32, shuffle: rng.fork(`epoch/${epoch}`), layout: 'time-major' }))
 *     train(batch); // batch.ids: [T, 32]; scan(cell, params, xs, { lengths: batch.lengths })
 */
export function bucketBatches(sequences: readonly ArrayLike<number>[], options: BucketOptions & PadOptions): SequenceBatch[] {
  const plan = bucketIndices(sequences.map((s) => s.length), options);
  return plan.map((idx) => padBatch(Array.from(idx, (i) => sequences[i]!), options, idx));
}
