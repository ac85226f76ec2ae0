import { RnnkitError } from '@rnnkit/tensor';
import type { DType, ReduceOp, View } from '@rnnkit/tensor';
import type { GpuContext, Recorder } from '../internal/context.js';
import type { WebGpuHandle } from '../internal/handle.js';
import { coalesce, MAX_RANK } from '../internal/layout.js';
import { BITS_WGSL, MAIN_ARGS, STRIDED_WGSL, threadIndex, UNIFORM_WGSL } from '../internal/wgsl.js';

/**
 * Short reductions: one thread per output element walks its reduced elements in row-major order (which argmax's
 * "first maximum" relies on). Uniform words: 0 outputs, 1 kept rank, 2 reduced rank, 3 reduced
 * count, 4 offset, then kept shape, kept strides, reduced shape, reduced strides (R words each).
 */
const R = MAX_RANK;
const W_KS = 5;
const W_KT = W_KS + R;
const W_RS = W_KT + R;
const W_RT = W_RS + R;

function body(op: ReduceOp, d: DType): { init: string; fold: string; result: string } {
  if (op === 'argmax') {
    const better = d === 'f32'
      ? `(nanBits(w) || bitcast<f32>(w) > bitcast<f32>(best)) && !nanBits(best)`
      : d === 'i32' ? 'bitcast<i32>(w) > bitcast<i32>(best)' : 'w > best';
    return {
      init: 'var best = in0[u32(base)]; var arg = 0u; var seen = false;',
      fold: `if (!seen) { best = w; arg = r; seen = true; } else if (${better}) { best = w; arg = r; }`,
      result: 'bitcast<u32>(i32(arg))',
    };
  }
  if (d === 'f32') {
    if (op === 'sum') return { init: 'var acc = 0.0;', fold: 'acc += bitcast<f32>(w);', result: 'bitcast<u32>(acc)' };
    const fn = op === 'max' ? 'max' : 'min';
    const start = op === 'max' ? '0xff800000u' : '0x7f800000u';
    return {
      init: `var start = ${start}; var acc = bitcast<f32>(start); var nan = false;`,
      fold: `if (nanBits(w)) { nan = true; } else { acc = ${fn}(acc, bitcast<f32>(w)); }`,
      result: `select(bitcast<u32>(acc), 0x7fc00000u, nan)`,
    };
  }
  if (d === 'i32') {
    if (op === 'sum') return { init: 'var acc = 0i;', fold: 'acc += bitcast<i32>(w);', result: 'bitcast<u32>(acc)' };
    const fn = op === 'max' ? 'max' : 'min';
    const start = op === 'max' ? '-2147483647i - 1i' : '2147483647i';
    return { init: `var acc = ${start};`, fold: `acc = ${fn}(acc, bitcast<i32>(w));`, result: 'bitcast<u32>(acc)' };
  }
  if (op === 'sum') return { init: 'var acc = 0u;', fold: 'acc = acc | w;', result: 'select(0u, 1u, acc != 0u)' };
  if (op === 'max') return { init: 'var acc = 0u;', fold: 'acc = max(acc, w);', result: 'acc' };
  return { init: 'var acc = 1u;', fold: 'acc = min(acc, w);', result: 'acc' };
}

// Shared by both kernels: where output i's reduced run starts in the input (its kept-axis index), and
// where the r-th element of that run lies (its reduced-axis index), both through the strides.
const INDEX_WGSL = `${STRIDED_WGSL}
fn keptBase(i: u32) -> i32 { return stridedAt(i, mi(4u), m(1u), ${W_KS}u, ${W_KT}u); }
fn reducedAt(base: i32, r: u32) -> i32 { return stridedAt(r, base, m(2u), ${W_RS}u, ${W_RT}u); }
`;

function shader(ctx: GpuContext, op: ReduceOp, d: DType): string {
  const b = body(op, d);
  return `${UNIFORM_WGSL}${BITS_WGSL}
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> in0: array<u32>;
${INDEX_WGSL}
@compute @workgroup_size(${ctx.wg})
fn main(${MAIN_ARGS}) {
  let i = ${threadIndex(ctx.wg)};
  if (i >= m(0u)) { return; }
  let base = keptBase(i);
  ${b.init}
  let count = m(3u);
  for (var r = 0u; r < count; r++) {
    let w = in0[u32(reducedAt(base, r))];
    ${b.fold}
  }
  out[i] = ${b.result};
}`;
}

/** Folds two partial results (as result words) of a cooperative reduction. */
function combine(op: Exclude<ReduceOp, 'argmax'>, d: DType): string {
  if (d === 'f32') {
    if (op === 'sum') return 'bitcast<u32>(bitcast<f32>(a) + bitcast<f32>(b))';
    return `select(bitcast<u32>(${op}(bitcast<f32>(a), bitcast<f32>(b))), 0x7fc00000u, nanBits(a) || nanBits(b))`;
  }
  if (d === 'i32') return op === 'sum' ? 'bitcast<u32>(bitcast<i32>(a) + bitcast<i32>(b))' : `bitcast<u32>(${op}(bitcast<i32>(a), bitcast<i32>(b)))`;
  return op === 'sum' ? 'a | b' : `${op}(a, b)`;
}

/**
 * Cooperative variant for long reductions: one workgroup per output element; each thread folds a
 * strided share of the reduced elements, then a shared-memory tree combines the partials. Same
 * uniform layout as the per-thread kernel. `wg` is a power of two.
 */
function treeShader(op: Exclude<ReduceOp, 'argmax'>, d: DType, wg: number): string {
  const b = body(op, d);
  return `${UNIFORM_WGSL}${BITS_WGSL}
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> in0: array<u32>;
${INDEX_WGSL}
var<workgroup> part: array<u32, ${wg}>;
fn combine(a: u32, b: u32) -> u32 { return ${combine(op, d)}; }
@compute @workgroup_size(${wg})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = wid.x + wid.y * nwg.x;
  if (i >= m(0u)) { return; }
  let base = keptBase(i);
  ${b.init}
  let count = m(3u);
  for (var r = lid.x; r < count; r += ${wg}u) {
    let w = in0[u32(reducedAt(base, r))];
    ${b.fold}
  }
  part[lid.x] = ${b.result};
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (lid.x < s) { part[lid.x] = combine(part[lid.x], part[lid.x + s]); }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[i] = part[0]; }
}`;
}

/** Reductions at least this long use the cooperative (tree) kernel... */
export const TREE_REDUCE_MIN = 512;
/**
 * ...on a software adapter only for this few outputs: there a workgroup runs on one CPU core and
 * barriers are costly, so the tree wins (5× for one output of 1M elements on SwiftShader) only
 * while the per-thread kernel leaves cores idle (it loses from about 16 outputs on).
 */
export const TREE_REDUCE_MAX_OUTPUTS_SOFTWARE = 8;

export function recordReduce(ctx: GpuContext, rec: Recorder, op: ReduceOp, x: View<WebGpuHandle>, axes: readonly number[], out: WebGpuHandle): void {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const k = coalesce(kept.map((i) => x.shape[i]!), [{ offset: x.offset, strides: kept.map((i) => x.strides[i]!) }]);
  const r = coalesce(axes.map((i) => x.shape[i]!), [{ offset: x.offset, strides: axes.map((i) => x.strides[i]!) }]);
  if (k.shape.length > R || r.shape.length > R) throw new RnnkitError(`${op}: the view has too many axes for the WebGPU reduce kernel (max ${R} kept and ${R} reduced after merging); copy it first.`);
  if (x.handle.length * 4 > ctx.maxBinding) {
    throw new RnnkitError(`${op}: the input (${x.handle.length * 4} bytes) exceeds the storage binding limit (${ctx.maxBinding} bytes); chunked reductions are not implemented, reduce slices of it.`);
  }
  const nOut = out.length;
  if (nOut === 0) return;
  const count = r.shape.reduce((a, b) => a * b, 1);
  if (op === 'argmax' && count === 0) throw new RnnkitError('argmax: the reduced axis is empty.');
  const words = new Int32Array(64);
  words[0] = nOut;
  words[1] = k.shape.length;
  words[2] = r.shape.length;
  words[3] = count;
  words[4] = x.offset;
  k.shape.forEach((d, i) => (words[W_KS + i] = d));
  k.layouts[0]!.strides.forEach((s, i) => (words[W_KT + i] = s));
  r.shape.forEach((d, i) => (words[W_RS + i] = d));
  r.layouts[0]!.strides.forEach((s, i) => (words[W_RT + i] = s));
  const bindings = [{ buffer: out.buffer, size: nOut * 4 }, { buffer: x.handle.buffer, size: Math.max(1, x.handle.length) * 4 }];
  const auto = count >= TREE_REDUCE_MIN && (!ctx.software || nOut <= TREE_REDUCE_MAX_OUTPUTS_SOFTWARE);
  if (op !== 'argmax' && (ctx.reduce === 'tree' || (ctx.reduce === 'auto' && auto))) {
    const wg = 2 ** Math.floor(Math.log2(ctx.wg));
    const pipeline = ctx.pipeline(`reduce-tree:${op}:${x.dtype}:${wg}`, () => treeShader(op, x.dtype, wg));
    rec.dispatch(pipeline, new Uint32Array(words.buffer), bindings, ctx.groups(nOut, 1));
    return;
  }
  const pipeline = ctx.pipeline(`reduce:${op}:${x.dtype}`, () => shader(ctx, op, x.dtype));
  rec.dispatch(pipeline, new Uint32Array(words.buffer), bindings, ctx.groups(nOut));
}
