import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, servePage, type ServedPage } from './page-server.js';
import { drawInitialParams } from './lstm-init.js';
import { batches, trainLstmLm } from './lstm-train.js';

// Training in a real browser from the BUILT packages: vite bundles test/browser-train-entry.ts
// resolving every @rnnkit import to its package's dist (no '@rnnkit/source' condition; this
// package's own entry aliased to its dist/index.js), headless Chromium (Debian's chromium, WebGPU
// on its SwiftShader adapter) loads it from 127.0.0.1 and trains a small LSTM on WebGPU; the
// losses must fall and track the same training on the CPU backend here. CI builds first (tools/ci/test.sh);
// locally, run `pnpm build` (missing builds skip, saying so; with CI=true they fail).
const CI = process.env.CI === 'true';
const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = path.resolve(root, '..');
const BUILT = ['backend-webgpu', 'tensor', 'autograd', 'bptt', 'cells', 'nn', 'optim'];
const STEPS = 30;
const LR = 1;

async function bundle(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'warn',
    root,
    // Vite's browser defaults: no '@rnnkit/source', so workspace packages resolve to their dist.
    resolve: { alias: { '@rnnkit/backend-webgpu': path.join(root, 'dist/index.js') } },
    build: { write: false, minify: false, lib: { entry: 'test/browser-train-entry.ts', formats: ['es'], fileName: 'train' } },
  });
  const out = (Array.isArray(result) ? result[0] : result) as { output: { fileName: string; code?: string; moduleIds?: string[] }[] };
  const chunk = out.output.find((o) => o.fileName.endsWith('.js'));
  if (chunk?.code === undefined) throw new Error('the browser bundle has no JS chunk');
  const ids = (chunk.moduleIds ?? []).map((id) => path.relative(packagesDir, id.replace(/^\0/, '')));
  const fromSource = ids.filter((id) => /^[\w-]+\/src\//.test(id));
  expect(fromSource, 'the bundle must take the packages from their dist, not their src').toEqual([]);
  for (const p of BUILT) expect(ids.some((id) => id.startsWith(`${p}/dist/`)), `${p}/dist in the bundle (modules: ${ids.join(', ')})`).toBe(true);
  expect(chunk.code, 'the browser bundle must not pull in Dawn').not.toMatch(/from ["']webgpu["']|require\(["']webgpu["']\)/);
  return chunk.code;
}

/** Why the test cannot run here, or undefined. */
function missing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  const unbuilt = BUILT.filter((p) => !existsSync(path.join(packagesDir, p, 'dist/index.js')));
  if (unbuilt.length > 0) return `not built: ${unbuilt.map((p) => `packages/${p}`).join(', ')} (run \`pnpm build\`)`;
  const dist = statSync(path.join(root, 'dist/index.js')).mtimeMs;
  if (statSync(path.join(root, 'src/backend.ts')).mtimeMs > dist) console.warn('browser-train: packages/backend-webgpu/dist is older than its src; run `pnpm build` to test the current code.');
  return undefined;
}

describe('training in headless Chromium on WebGPU, from the built packages', () => {
  let served: ServedPage | undefined;
  let skip: string | undefined;

  beforeAll(async () => {
    skip = missing();
    if (skip !== undefined) {
      if (CI) throw new Error(skip);
      return;
    }
    served = await servePage(await bundle(), 'rnnkit webgpu training');
  });
  afterAll(async () => {
    await served?.close();
  });

  it(`trains a small LSTM for ${STEPS} SGD steps on the page: the loss falls and tracks the CPU backend`, async (ctx) => {
    if (skip !== undefined) ctx.skip(skip);
    const page = await served!.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served!.url);
    await page.waitForFunction(() => 'runTraining' in globalThis);
    const init = drawInitialParams();
    const data = batches(STEPS);
    type Result = { adapter: string; losses: number[]; ms: number; dispatches: number };
    let got: Result;
    try {
      got = await page.evaluate(async (d) => (globalThis as unknown as { runTraining: (x: typeof d) => Promise<Result> }).runTraining(d), { init, data, lr: LR });
    } catch (e) {
      const msg = (e as Error).message;
      if (/no WebGPU adapter/.test(msg) && !CI) ctx.skip(`Chromium has no WebGPU adapter here: ${msg}`);
      throw e;
    }
    await page.close();
    expect(errors, 'page errors').toEqual([]);
    console.log(`browser adapter: ${got.adapter}; ${STEPS} steps in ${got.ms.toFixed(0)} ms (${(got.dispatches / STEPS).toFixed(0)} dispatches a step); loss ${got.losses[0]!.toFixed(4)} → ${got.losses.at(-1)!.toFixed(4)}`);
    expect(got.losses.length).toBe(STEPS);
    expect(got.losses.every(Number.isFinite), 'finite losses').toBe(true);
    expect(got.losses.at(-1)!, 'the loss falls').toBeLessThan(got.losses[0]! * 0.8);
    const want = await trainLstmLm(createCpuBackend(), 'f64', init, data, LR);
    got.losses.forEach((l, i) => expect(Math.abs(l - want[i]!) / Math.abs(want[i]!), `step ${i}: browser loss ${l} vs CPU ${want[i]}`).toBeLessThanOrEqual(1e-4));
  });
});
