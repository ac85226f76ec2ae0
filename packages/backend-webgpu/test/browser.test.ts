import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { contiguousStrides, createRng, type Backend, type View } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, servePage, type ServedPage } from './page-server.js';

// A real browser: headless Chromium (Debian's chromium package) with WebGPU on its SwiftShader
// adapter loads a page from 127.0.0.1 that bundles this package's src and runs a matmul and an
// LSTM sequence forward; the results are compared with the CPU backend here.
const CI = process.env.CI === 'true';
const root = fileURLToPath(new URL('..', import.meta.url));

async function bundle(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'warn',
    root,
    resolve: { conditions: ['@rnnkit/source', 'browser', 'import', 'module', 'default'] },
    build: { write: false, minify: false, lib: { entry: 'test/browser-entry.ts', formats: ['es'], fileName: 'demo' } },
  });
  const out = (Array.isArray(result) ? result[0] : result) as { output: { fileName: string; code?: string }[] };
  const chunk = out.output.find((o) => o.fileName.endsWith('.js'));
  if (chunk?.code === undefined) throw new Error('the browser bundle has no JS chunk');
  expect(chunk.code, 'the browser bundle must not pull in Dawn').not.toMatch(/from ["']webgpu["']|require\(["']webgpu["']\)/);
  return chunk.code;
}

describe('WebGPU in headless Chromium (playwright-core)', () => {
  let served: ServedPage | undefined;
  let skip: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      const why = `${CHROMIUM} is missing (apt-get install chromium)`;
      if (CI) throw new Error(why);
      skip = why;
      return;
    }
    served = await servePage(await bundle(), 'rnnkit webgpu');
  });
  afterAll(async () => {
    await served?.close();
  });

  it('runs a matmul and an LSTM sequence forward on the page, matching the CPU backend', async (ctx) => {
    if (skip !== undefined) ctx.skip(skip);
    const page = await served!.browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(served!.url);
    await page.waitForFunction(() => 'runDemo' in globalThis);
    const rng = createRng(3);
    const r = (n: number, s = 1) => Array.from({ length: n }, () => Math.fround((rng.nextFloat() * 2 - 1) * s));
    const [M, K, N, T, B, H] = [5, 7, 6, 6, 2, 8];
    const input = { a: r(M * K), b: r(K * N), M, K, N, T, B, H, xProj: r(T * B * 4 * H), h0: r(B * H, 0.5), c0: r(B * H, 0.5), wHh: r(4 * H * H, 0.4), bHh: r(4 * H, 0.2) };
    let got: { adapter: string; matmul: number[]; hs: number[]; hT: number[]; cT: number[] };
    try {
      got = await page.evaluate(async (d) => (globalThis as unknown as { runDemo: (x: typeof d) => Promise<typeof got> }).runDemo(d), input);
    } catch (e) {
      const msg = (e as Error).message;
      if (/no WebGPU adapter/.test(msg) && !CI) ctx.skip(`Chromium has no WebGPU adapter here: ${msg}`);
      throw e;
    }
    console.log(`browser adapter: ${got.adapter}`);

    const cpu: Backend = createCpuBackend();
    const v = (data: number[], shape: number[]): View => ({ handle: cpu.upload(Float64Array.from(data), 'f64'), dtype: 'f64', shape, strides: contiguousStrides(shape), offset: 0 });
    const read = async (h: object, n: number) => cpu.read({ handle: h, dtype: 'f64', shape: [n], strides: [1], offset: 0 });
    const mm = cpu.kernels.matmul(v(input.a, [M, K]), v(input.b, [K, N]));
    const f = cpu.fused!.lstmSequence!({
      xProj: v(input.xProj, [T, B, 4 * H]), h0: v(input.h0, [B, H]), c0: v(input.c0, [B, H]), wHh: v(input.wHh, [4 * H, H]), bHh: v(input.bHh, [4 * H]), options: {},
    });
    const tol = { rtol: 1e-4, atol: 1e-5 };
    expectClose(Float64Array.from(got.matmul), await read(mm, M * N), tol, 'browser matmul');
    expectClose(Float64Array.from(got.hs), await read(f.hs, T * B * H), tol, 'browser LSTM hs');
    expectClose(Float64Array.from(got.hT), await read(f.hT, B * H), tol, 'browser LSTM hT');
    expectClose(Float64Array.from(got.cT), await read(f.cT!, B * H), tol, 'browser LSTM cT');
    await page.close();
  });
});
