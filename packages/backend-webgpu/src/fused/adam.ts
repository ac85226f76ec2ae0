import { RnnkitError, contiguousStrides, fmtShape, sameShape, sizeOf } from '@rnnkit/tensor';
import type { AdamStepArgs, AdamStepResult, View } from '@rnnkit/tensor';
import type { Binding, GpuContext } from '../internal/context.js';
import type { WebGpuHandle } from '../internal/handle.js';
import { isContiguous } from '../internal/layout.js';
import { MAIN_ARGS, threadIndex, UNIFORM_WGSL } from '../internal/wgsl.js';
import { recordMap } from '../kernels/map.js';

type Check = (op: string, ...views: readonly View[]) => void;

/**
 * Uniform words: 0 n (this chunk), 1 section stride c, 2 β₁, 3 1−β₁, 4 β₂, 5 1−β₂, 6 eps (f32 bits).
 * The packed input holds [bc1, bc2, g (c words), μ (c), ν (c)]: with the three outputs that is 4
 * storage bindings, the backend's limit (compatibility mode). The constants are rounded to f32 on
 * the host and every intermediate is an f32 as in the composite ops, so the result matches
 * hostAdamStep in f32.
 */
function adamShader(wg: number): string {
  return `${UNIFORM_WGSL}
@group(0) @binding(1) var<storage, read_write> oMu: array<f32>;
@group(0) @binding(2) var<storage, read_write> oNu: array<f32>;
@group(0) @binding(3) var<storage, read_write> oUp: array<f32>;
@group(0) @binding(4) var<storage, read> inp: array<f32>;
fn uf(i: u32) -> f32 { return bitcast<f32>(m(i)); }
@compute @workgroup_size(${wg})
fn main(${MAIN_ARGS}) {
  let i = ${threadIndex(wg)};
  if (i >= m(0u)) { return; }
  let c = m(1u);
  let gi = inp[2u + i];
  let mi = inp[2u + c + i] * uf(2u) + gi * uf(3u);
  let vi = inp[2u + 2u * c + i] * uf(4u) + (gi * gi) * uf(5u);
  oMu[i] = mi;
  oNu[i] = vi;
  oUp[i] = (mi / inp[0]) / (sqrt(vi) / inp[1] + uf(6u));
}`;
}

const f32Bits = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0]!;

/**
 * One Adam step in one dispatch: grad, mu, nu and the two 0-d corrections are copied (buffer
 * copies, no dispatch, no read-back) into one packed input, and the kernel writes three fresh
 * contiguous handles. A strided input is first made contiguous by the copy kernel, in the same
 * command buffer. A parameter too large for one storage binding is stepped in chunks, one
 * dispatch each.
 */
export function adamStep(ctx: GpuContext, check: Check, args: AdamStepArgs<WebGpuHandle>): AdamStepResult<WebGpuHandle> {
  const op = 'adamStep';
  const { grad } = args;
  check(op, grad, args.mu, args.nu, args.bc1, args.bc2Sqrt);
  for (const [name, v] of [['grad', grad], ['mu', args.mu], ['nu', args.nu], ['bc1', args.bc1], ['bc2Sqrt', args.bc2Sqrt]] as const) {
    if (v.dtype !== 'f32') throw new RnnkitError(`${op}: ${name} is ${v.dtype}; the WebGPU Adam kernel computes in f32 only (cast the parameters to f32).`);
  }
  for (const [name, v] of [['mu', args.mu], ['nu', args.nu]] as const) {
    if (!sameShape(v.shape, grad.shape)) {
      throw new RnnkitError(`${op}: ${name} is f32 ${fmtShape(v.shape)} but the gradient is f32 ${fmtShape(grad.shape)}; the moments must match their parameter.`);
    }
  }
  for (const [name, v] of [['bc1', args.bc1], ['bc2Sqrt', args.bc2Sqrt]] as const) {
    if (sizeOf(v.shape) !== 1) throw new RnnkitError(`${op}: ${name} must be a 0-d tensor, got shape ${fmtShape(v.shape)}.`);
  }
  const n = sizeOf(grad.shape);
  const out = { mu: ctx.alloc(op, n), nu: ctx.alloc(op, n), update: ctx.alloc(op, n) };
  if (n === 0) return out;
  // Elements per chunk: the packed input (2 + 3c words) must fit a binding, and chunk starts
  // must be aligned for the output bindings' offsets.
  const fit = Math.floor((Math.floor(ctx.maxBinding / 4) - 2) / 3 / ctx.alignElems) * ctx.alignElems;
  if (fit < 1) throw new RnnkitError(`${op}: the storage binding limit (${ctx.maxBinding} bytes) is too small for the Adam kernel.`);
  const c = Math.min(n, fit);
  const temps: WebGpuHandle[] = [];
  try {
    const pipeline = ctx.pipeline('fused:adam:f32', () => adamShader(ctx.wg));
    const inp = ctx.alloc(op, 2 + 3 * c);
    temps.push(inp);
    ctx.submit(op, (rec) => {
      /** The view's elements as a contiguous run: where they are, or a packed copy. */
      const source = (v: View<WebGpuHandle>): { buffer: GPUBuffer; offset: number } => {
        if (isContiguous(v)) return { buffer: v.handle.buffer, offset: v.offset };
        const t = ctx.alloc(op, n);
        temps.push(t);
        recordMap(ctx, rec, op, { kind: 'copy' }, v.shape, { handle: t, layout: { offset: 0, strides: contiguousStrides(v.shape) } }, [
          { handle: v.handle, dtype: v.dtype, layout: v },
        ]);
        return { buffer: t.buffer, offset: 0 };
      };
      const sources = [source(grad), source(args.mu), source(args.nu)];
      rec.copy(args.bc1.handle.buffer, args.bc1.offset * 4, inp.buffer, 0, 4);
      rec.copy(args.bc2Sqrt.handle.buffer, args.bc2Sqrt.offset * 4, inp.buffer, 4, 4);
      const constants = [args.beta1, 1 - args.beta1, args.beta2, 1 - args.beta2, args.eps].map(f32Bits);
      for (let start = 0; start < n; start += c) {
        const len = Math.min(c, n - start);
        sources.forEach((src, k) => rec.copy(src.buffer, (src.offset + start) * 4, inp.buffer, (2 + k * c) * 4, len * 4));
        const words = new Uint32Array(64);
        words.set([len, c, ...constants]);
        const o = (h: WebGpuHandle): Binding => ({ buffer: h.buffer, offset: start * 4, size: len * 4 });
        rec.dispatch(pipeline, words, [o(out.mu), o(out.nu), o(out.update), { buffer: inp.buffer, size: (2 + 3 * c) * 4 }], ctx.groups(len));
      }
    });
  } catch (e) {
    for (const h of [out.mu, out.nu, out.update]) ctx.free(h);
    throw e;
  } finally {
    for (const t of temps) ctx.free(t);
  }
  return out;
}
