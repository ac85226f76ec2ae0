import { readdir } from 'node:fs/promises';
import type * as FsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { disposeState } from '@rnnkit/optim';
import { normal, RnnkitError, createRng } from '@rnnkit/tensor';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { disposeCheckpoint, loadCheckpoint, previousCheckpointPath, saveCheckpoint } from '../src/index.js';
import { tempDir, treeBytes } from './helpers.js';

// Simulated crash: while `crash.armed`, the second write to a checkpoint's temporary file throws,
// after the first chunk has reached the disk.
const crash = vi.hoisted(() => ({ armed: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  const open: typeof fs.open = async (...args) => {
    const fh = await fs.open(...args);
    if (!crash.armed || !String(args[0]).endsWith('.tmp')) return fh;
    let writes = 0;
    const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
    return new Proxy(fh, {
      get(target, prop, receiver) {
        if (prop === 'write')
          return async (...a: unknown[]) => {
            if (++writes === 2) throw new Error('simulated crash: disk unplugged');
            return write(...a);
          };
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  return { ...fs, default: { ...fs, open }, open };
});

const backend = createCpuBackend();
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  crash.armed = false;
  await cleanup();
});

describe('saveCheckpoint is atomic', () => {
  it('keeps the previous good checkpoint when the write fails midway', async () => {
    const path = join(dir, 'latest.safetensors');
    // Large enough (> 1 MiB) for several write chunks.
    const good = { w: normal(createRng(1), backend, [300, 1000]) };
    const next = { w: normal(createRng(2), backend, [300, 1000]) };
    await saveCheckpoint(path, { params: good, step: 10 });
    const live = backend.stats().liveHandles;

    crash.armed = true;
    const err = (await saveCheckpoint(path, { params: next, step: 20 }).catch((e: unknown) => e)) as Error;
    crash.armed = false;
    expect(err).toBeInstanceOf(RnnkitError);
    expect(err.message).toMatch(/^saveCheckpoint: writing '.*latest.safetensors' failed \(simulated crash: disk unplugged\); the checkpoint that was there is untouched\.$/);

    // The old checkpoint is intact, the temporary file is gone, nothing was rotated.
    expect(await readdir(dir)).toEqual(['latest.safetensors']);
    const back = await loadCheckpoint(path, backend, { expect: { params: good } });
    expect(back.step).toBe(10);
    expect(await treeBytes(back.params)).toEqual(await treeBytes(good));
    disposeCheckpoint(back);
    expect(backend.stats().liveHandles).toBe(live);

    // The next save succeeds and keeps the good one as previous.
    await saveCheckpoint(path, { params: next, step: 20 });
    const prev = await loadCheckpoint(previousCheckpointPath(path), backend);
    expect(prev.step).toBe(10);
    disposeCheckpoint(prev);
    disposeState([good, next]);
  });
});
