import { RnnkitError } from '@rnnkit/tensor';
import type { DType, View } from '@rnnkit/tensor';
import type { GpuContext, Recorder } from '../internal/context.js';
import type { WebGpuHandle } from '../internal/handle.js';
import { coalesce, MAX_RANK, type Strided } from '../internal/layout.js';
import { MAIN_ARGS, STRIDED_WGSL, threadIndex, UNIFORM_WGSL } from '../internal/wgsl.js';

/**
 * gather and scatterAdd see the table as [outer, axisLen, inner] and the gathered side as
 * [outer, n, inner] with n the (flattened) number of indices. Both strided operands (indices and
 * table/updates) are addressed through their own shape and strides from the uniform block.
 * Words: 0 threads (gather: outputs; scatterAdd: outer·inner columns), 1 n, 2 inner, 3 axisLen, 4 index offset, 5 index rank, 6 data offset, 7 data rank,
 * then index shape, index strides, data shape, data strides (R words each).
 */
const R = MAX_RANK;
const W_IS = 8;
const W_IT = W_IS + R;
const W_DS = W_IT + R;
const W_DT = W_DS + R;

const ADDRESS_WGSL = /* wgsl */ `${STRIDED_WGSL}
fn indexAt(i: u32) -> i32 { return bitcast<i32>(idx[u32(stridedAt(i, mi(4u), m(5u), ${W_IS}u, ${W_IT}u))]); }
fn dataAt(l: u32) -> u32 { return u32(stridedAt(l, mi(6u), m(7u), ${W_DS}u, ${W_DT}u)); }
`;

const BINDINGS = `
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<storage, read> src: array<u32>;`;

function gatherShader(ctx: GpuContext): string {
  return `${UNIFORM_WGSL}${BINDINGS}${ADDRESS_WGSL}
@compute @workgroup_size(${ctx.wg})
fn main(${MAIN_ARGS}) {
  let o = ${threadIndex(ctx.wg)};
  if (o >= m(0u)) { return; }
  let inner = m(2u); let n = m(1u);
  let j = o % inner;
  let q = o / inner;
  let i = q % n;
  let outer = q / n;
  let l = (outer * m(3u) + u32(indexAt(i))) * inner + j;
  out[o] = src[dataAt(l)];
}`;
}

/**
 * scatterAdd: one thread per (outer, inner) column walks the indices in order and adds each
 * update into its row of the (cleared) output. Same summation order as a thread per output element
 * scanning every index, but axisLen times less work (the softmax cross-entropy gradient scatters
 * 200 values into 25,600: 5M index tests before, 200 adds now). Out-of-range indices add nothing.
 */
function scatterShader(ctx: GpuContext, d: DType): string {
  const add = d === 'f32'
    ? 'out[o] = bitcast<u32>(bitcast<f32>(out[o]) + bitcast<f32>(w));'
    : d === 'i32' ? 'out[o] = bitcast<u32>(bitcast<i32>(out[o]) + bitcast<i32>(w));' : 'out[o] = select(0u, 1u, (out[o] | w) != 0u);';
  return `${UNIFORM_WGSL}${BINDINGS}${ADDRESS_WGSL}
@compute @workgroup_size(${ctx.wg})
fn main(${MAIN_ARGS}) {
  let c = ${threadIndex(ctx.wg)};
  if (c >= m(0u)) { return; }
  let inner = m(2u); let n = m(1u); let axisLen = m(3u);
  let j = c % inner;
  let outer = c / inner;
  for (var i = 0u; i < n; i++) {
    let a = indexAt(i);
    if (a >= 0 && u32(a) < axisLen) {
      let w = src[dataAt((outer * n + i) * inner + j)];
      let o = (outer * axisLen + u32(a)) * inner + j;
      ${add}
    }
  }
}`;
}

function words(nOut: number, n: number, inner: number, axisLen: number, indices: View<WebGpuHandle>, data: { shape: readonly number[]; layout: Strided }): Uint32Array {
  const ic = coalesce(indices.shape, [{ offset: indices.offset, strides: indices.strides }]);
  const dc = coalesce(data.shape, [data.layout]);
  if (ic.shape.length > R || dc.shape.length > R) throw new RnnkitError(`gather/scatterAdd: operands have too many axes after merging (max ${R}); copy them first.`);
  const w = new Int32Array(64);
  w.set([nOut, n, inner, axisLen, indices.offset, ic.shape.length, data.layout.offset, dc.shape.length]);
  ic.shape.forEach((d, i) => (w[W_IS + i] = d));
  ic.layouts[0]!.strides.forEach((s, i) => (w[W_IT + i] = s));
  dc.shape.forEach((d, i) => (w[W_DS + i] = d));
  dc.layouts[0]!.strides.forEach((s, i) => (w[W_DT + i] = s));
  return new Uint32Array(w.buffer);
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function checkSize(ctx: GpuContext, op: string, hs: readonly WebGpuHandle[]): void {
  for (const h of hs) {
    if (h.length * 4 > ctx.maxBinding) throw new RnnkitError(`${op}: an operand (${h.length * 4} bytes) exceeds the storage binding limit (${ctx.maxBinding} bytes); chunking is not implemented for ${op}.`);
  }
}

export function recordGather(ctx: GpuContext, rec: Recorder, table: View<WebGpuHandle>, indices: View<WebGpuHandle>, axis: number, out: WebGpuHandle): void {
  const n = prod(indices.shape);
  const inner = prod(table.shape.slice(axis + 1));
  const nOut = prod(table.shape.slice(0, axis)) * n * inner;
  if (nOut === 0) return;
  checkSize(ctx, 'gather', [table.handle, indices.handle, out]);
  const u = words(nOut, n, inner, table.shape[axis]!, indices, { shape: table.shape, layout: table });
  const p = ctx.pipeline('gather', () => gatherShader(ctx));
  rec.dispatch(p, u, [{ buffer: out.buffer, size: nOut * 4 }, { buffer: indices.handle.buffer, size: Math.max(1, indices.handle.length) * 4 }, { buffer: table.handle.buffer, size: Math.max(1, table.handle.length) * 4 }], ctx.groups(nOut));
}

export function recordScatterAdd(ctx: GpuContext, rec: Recorder, shape: readonly number[], indices: View<WebGpuHandle>, updates: View<WebGpuHandle>, axis: number, out: WebGpuHandle): void {
  const nOut = prod(shape);
  if (nOut === 0) return;
  const n = prod(indices.shape);
  checkSize(ctx, 'scatterAdd', [updates.handle, indices.handle, out]);
  const inner = prod(shape.slice(axis + 1));
  const columns = prod(shape.slice(0, axis)) * inner;
  rec.clear(out.buffer, 0, nOut * 4);
  if (n === 0 || columns === 0) return;
  const u = words(columns, n, inner, shape[axis]!, indices, { shape: updates.shape, layout: updates });
  const p = ctx.pipeline(`scatterAdd:${updates.dtype}`, () => scatterShader(ctx, updates.dtype));
  rec.dispatch(p, u, [{ buffer: out.buffer, size: nOut * 4 }, { buffer: indices.handle.buffer, size: Math.max(1, indices.handle.length) * 4 }, { buffer: updates.handle.buffer, size: Math.max(1, updates.handle.length) * 4 }], ctx.groups(columns));
}
