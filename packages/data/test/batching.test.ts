import { createRng } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { bucketBatches, bucketIndices, padBatch, shuffle } from '../src/index.js';

describe('padBatch', () => {
  it('pads right, batch-major, with a [B, T] mask and host lengths', () => {
    const b = padBatch([[5, 6, 7], [8]], { padId: 0 });
    expect(b.ids.shape).toEqual([2, 3]);
    expect(Array.from(b.ids.data)).toEqual([5, 6, 7, 8, 0, 0]);
    expect(b.mask.dtype).toBe('bool');
    expect(Array.from(b.mask.data)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(Array.from(b.lengths)).toEqual([3, 1]);
  });
  it('lays ids out time-major and pads left; the mask stays [B, T]', () => {
    const b = padBatch([[5, 6, 7], [8]], { padId: 9, layout: 'time-major', padding: 'left' });
    expect(b.ids.shape).toEqual([3, 2]);
    expect(Array.from(b.ids.data)).toEqual([5, 9, 6, 9, 7, 8]);
    expect(b.mask.shape).toEqual([2, 3]);
    expect(Array.from(b.mask.data)).toEqual([1, 1, 1, 0, 0, 1]);
  });
  it('truncates to maxLength and pads to minLength', () => {
    const b = padBatch([[1, 2, 3, 4], [5]], { maxLength: 2, minLength: 3 });
    expect(b.ids.shape).toEqual([2, 3]);
    expect(Array.from(b.ids.data)).toEqual([1, 2, 0, 5, 0, 0]);
    expect(Array.from(b.lengths)).toEqual([2, 1]);
  });
  it('names an empty sequence', () => {
    expect(() => padBatch([[1], []])).toThrow(/sequence 1 is empty/);
    expect(() => padBatch([])).toThrow(/the batch is empty/);
  });
});

describe('bucketBatches', () => {
  const seqs = [5, 1, 3, 8, 2, 7, 4, 6, 3, 1].map((n, i) => Array.from({ length: n }, () => i + 1));
  it('without shuffling, cuts the length-sorted list, so batches hold similar lengths', () => {
    const batches = bucketBatches(seqs, { batchSize: 4 });
    expect(batches.map((b) => Array.from(b.lengths))).toEqual([[1, 1, 2, 3], [3, 4, 5, 6], [7, 8]]);
    expect(Array.from(batches[0]!.indices)).toEqual([1, 9, 4, 2]);
    // Each row holds its own sequence: row 0 of batch 0 is sequence 1 (all 2s).
    expect(batches[0]!.ids.data[0]).toBe(2);
  });
  it('never mixes buckets, and dropLast leaves out partial batches', () => {
    const plan = bucketIndices(seqs.map((s) => s.length), { batchSize: 3, bucketWidth: 4 });
    const lens = plan.map((p) => Array.from(p, (i) => seqs[i]!.length));
    expect(lens).toEqual([[1, 1, 2], [3, 3, 4], [5, 6, 7], [8]]);
    expect(bucketIndices(seqs.map((s) => s.length), { batchSize: 3, bucketWidth: 4, dropLast: true })).toHaveLength(3);
  });
  it('shuffles deterministically from a seed and covers every sequence once', () => {
    const a = bucketBatches(seqs, { batchSize: 3, shuffle: 7 });
    const b = bucketBatches(seqs, { batchSize: 3, shuffle: 7 });
    const c = bucketBatches(seqs, { batchSize: 3, shuffle: 8 });
    const order = (bs: typeof a) => bs.flatMap((x) => Array.from(x.indices));
    expect(order(a)).toEqual(order(b));
    expect(order(a)).not.toEqual(order(c));
    expect([...order(a)].sort((x, y) => x - y)).toEqual(seqs.map((_, i) => i));
  });
  it('advances a passed Rng, so its state() records the position', () => {
    const rng = createRng(3);
    bucketBatches(seqs, { batchSize: 2, shuffle: rng });
    expect(rng.state().counter).toBeGreaterThan(0);
  });
});

describe('shuffle', () => {
  it('is a deterministic permutation from a seed and leaves the input alone', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const s = shuffle(items, 1);
    expect(s).toEqual(shuffle(items, 1));
    expect([...s].sort()).toEqual(items);
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(shuffle(items, createRng(1))).toEqual(s);
    expect(() => shuffle(items, 1.5)).toThrow(/seed \(a safe integer\) or an Rng/);
  });
});
