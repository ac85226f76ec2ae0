import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { treeFlatten, type ParamTree } from '@rnnkit/tensor';

/** A fresh temporary folder and a function that removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rnnkit-io-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every leaf's bytes by path, for exact comparisons. */
export async function treeBytes(tree: ParamTree): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [path, t] of treeFlatten(tree)) {
    const d = await t.read();
    out[path] = Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return out;
}
