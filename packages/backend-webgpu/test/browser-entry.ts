// Bundled for the browser test: runs on the page's navigator.gpu, with no Node imports.
import type { Backend, SequenceArgs, View } from '@rnnkit/tensor';
import { createWebGpuBackend } from '../src/index.js';

interface DemoInput {
  readonly a: number[]; readonly b: number[]; readonly M: number; readonly K: number; readonly N: number;
  readonly T: number; readonly B: number; readonly H: number;
  readonly xProj: number[]; readonly h0: number[]; readonly c0: number[]; readonly wHh: number[]; readonly bHh: number[];
}

async function runDemo(d: DemoInput): Promise<{ adapter: string; matmul: number[]; hs: number[]; hT: number[]; cT: number[] }> {
  const gpu = await createWebGpuBackend();
  const be = gpu as unknown as Backend;
  const v = (data: number[], shape: number[]): View => {
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
    return { handle: be.upload(Float32Array.from(data), 'f32'), dtype: 'f32', shape, strides, offset: 0 };
  };
  const out = (h: object, n: number): View => ({ handle: h, dtype: 'f32', shape: [n], strides: [1], offset: 0 });
  const c = be.kernels.matmul(v(d.a, [d.M, d.K]), v(d.b, [d.K, d.N]));
  const args: SequenceArgs & { c0: View } = {
    xProj: v(d.xProj, [d.T, d.B, 4 * d.H]), h0: v(d.h0, [d.B, d.H]), c0: v(d.c0, [d.B, d.H]),
    wHh: v(d.wHh, [4 * d.H, d.H]), bHh: v(d.bHh, [4 * d.H]), options: {},
  };
  const f = be.fused!.lstmSequence!(args);
  const result = {
    adapter: `${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture} ${gpu.adapterInfo.description}`,
    matmul: Array.from(await be.read(out(c, d.M * d.N))),
    hs: Array.from(await be.read(out(f.hs, d.T * d.B * d.H))),
    hT: Array.from(await be.read(out(f.hT, d.B * d.H))),
    cT: Array.from(await be.read(out(f.cT!, d.B * d.H))),
  };
  gpu.destroy();
  return result;
}

(globalThis as { runDemo?: typeof runDemo }).runDemo = runDemo;
