import { describe, expect, it } from 'vitest';
import { tokenStream } from '../src/index.js';

const ids = Array.from({ length: 23 }, (_, i) => i); // 0 … 22

describe('tokenStream', () => {
  it('cuts the text into B contiguous streams read k steps at a time, with next-token targets', () => {
    const s = tokenStream(ids, { batchSize: 2, steps: 4 });
    expect(s.streamLength).toBe(11); // ⌊(23 − 1) / 2⌋
    expect(s.windowsPerEpoch).toBe(3); // 4 + 4 + 3
    const w0 = s.nextWindow();
    expect(w0.inputs.shape).toEqual([4, 2]);
    // Time-major: step t, stream b at t·B + b. Stream 0 starts at 0, stream 1 at 11.
    expect(Array.from(w0.inputs.data)).toEqual([0, 11, 1, 12, 2, 13, 3, 14]);
    expect(Array.from(w0.targets.data)).toEqual([1, 12, 2, 13, 3, 14, 4, 15]);
    expect([w0.first, w0.last, w0.epoch, w0.index]).toEqual([true, false, 0, 0]);
    const w1 = s.nextWindow();
    expect(Array.from(w1.inputs.data).slice(0, 2)).toEqual([4, 15]); // continues where w0 stopped
    const w2 = s.nextWindow();
    expect(w2.steps).toBe(3);
    expect(w2.last).toBe(true);
    expect(Array.from(w2.targets.data).slice(-2)).toEqual([11, 22]);
    const w3 = s.nextWindow();
    expect([w3.epoch, w3.index, w3.first]).toEqual([1, 0, true]);
  });
  it('lays windows out batch-major on request, and dropLast drops a short last window', () => {
    const s = tokenStream(ids, { batchSize: 2, steps: 4, layout: 'batch-major', dropLast: true });
    expect(s.windowsPerEpoch).toBe(2);
    expect(Array.from(s.nextWindow().inputs.data)).toEqual([0, 1, 2, 3, 11, 12, 13, 14]);
  });
  it('iterates over the rest of an epoch', () => {
    const s = tokenStream(ids, { batchSize: 2, steps: 4 });
    s.nextWindow();
    expect([...s].map((w) => w.index)).toEqual([1, 2]);
    expect(s.position().epoch).toBe(1);
  });
  it('saves and restores its position as JSON, so a resumed run reads the same windows', () => {
    const a = tokenStream(ids, { batchSize: 2, steps: 4 });
    for (let i = 0; i < 4; i++) a.nextWindow();
    const saved = JSON.parse(JSON.stringify(a.position())) as ReturnType<typeof a.position>;
    const b = tokenStream(ids, { batchSize: 2, steps: 4 });
    b.seek(saved);
    for (let i = 0; i < 5; i++) expect(b.nextWindow()).toEqual(a.nextWindow());
  });
  it('refuses a position from other data or another cut', () => {
    const a = tokenStream(ids, { batchSize: 2, steps: 4 });
    const other = tokenStream(ids.map((x) => x + 1), { batchSize: 2, steps: 4 });
    expect(() => other.seek(a.position())).toThrow(/checksum/);
    expect(() => tokenStream(ids, { batchSize: 3, steps: 4 }).seek(a.position())).toThrow(/batchSize 2, but this stream has 3/);
    expect(() => a.seek({ ...a.position(), window: 9 })).toThrow(/not a position of this stream/);
  });
  it('explains a text too short for its streams', () => {
    expect(() => tokenStream([1, 2, 3], { batchSize: 4, steps: 2 })).toThrow(/3 tokens cannot fill 4 streams/);
  });
});
