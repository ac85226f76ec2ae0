// Node-side helper of train.test.ts and browser-train.test.ts.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createRng, treeDispose, treeFlatten, type Backend } from '@rnnkit/tensor';
import { modules, type HostParams } from './lstm-train.js';

/** Initial parameters drawn once in f32 (on the CPU backend), as host numbers. */
export function drawInitialParams(seed = 17): HostParams {
  const cpu: Backend = createCpuBackend();
  const rng = createRng(seed);
  const m = modules('f32');
  const drawn = { embed: m.embed.init(rng, cpu), cell: m.cell.init(rng, cpu), head: m.head.init(rng, cpu) };
  const flat = treeFlatten(drawn);
  const init = {
    values: Object.fromEntries(flat.map(([path, t]) => [path, Array.from(t.readSync())])),
    shapes: Object.fromEntries(flat.map(([path, t]) => [path, [...t.shape]])),
  };
  treeDispose(drawn);
  return init;
}
