import { createCpuBackend } from '@rnnkit/backend-cpu';
import { describe, expect, it } from 'vitest';
import { padBatch, tokenStream, uploadBatch } from '../src/index.js';

describe('uploadBatch', () => {
  it('turns host tensors into tensors and leaves host fields alone', async () => {
    const backend = createCpuBackend();
    const before = backend.stats().liveHandles;
    const batch = padBatch([[1, 2], [3]], { layout: 'time-major' });
    const up = uploadBatch(batch, backend);
    expect([up.ids.dtype, up.ids.shape, up.mask.dtype, up.mask.shape]).toEqual(['i32', [2, 2], 'bool', [2, 2]]);
    expect(Array.from(await up.ids.read())).toEqual([1, 3, 2, 0]);
    expect(up.lengths).toBe(batch.lengths);
    const w = uploadBatch(tokenStream([1, 2, 3, 4, 5], { batchSize: 2, steps: 2 }).nextWindow(), backend);
    expect(Array.from(await w.targets.read())).toEqual([2, 4, 3, 5]);
    for (const t of [up.ids, up.mask, w.inputs, w.targets]) t.dispose();
    expect(backend.stats().liveHandles).toBe(before);
  });
});
