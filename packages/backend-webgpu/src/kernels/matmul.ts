import { RnnkitError } from '@rnnkit/tensor';
import type { View } from '@rnnkit/tensor';
import type { GpuContext, Recorder } from '../internal/context.js';
import type { WebGpuHandle } from '../internal/handle.js';
import { coalesce, MAX_RANK } from '../internal/layout.js';
import { MAIN_ARGS, threadIndex, UNIFORM_WGSL } from '../internal/wgsl.js';

/** Which matmul kernel a backend uses; chosen per adapter (see ADR 0020). */
export type MatmulVariant = 'blocked' | 'tiled';

/**
 * Uniform words: 0 M, 1 N, 2 K, 3 batch rank, 4 batch count, 5 a offset, 6 b offset,
 * 7 a row stride, 8 a col stride, 9 b row stride, 10 b col stride, 11 out offset,
 * then batch shape, a batch strides, b batch strides (R words each).
 */
const R = MAX_RANK;
const W_BS = 12;
const W_AS = W_BS + R;
const W_BT = W_AS + R;

const BATCH_WGSL = /* wgsl */ `
fn batchBases(z: u32) -> vec2<i32> {
  var rem = z;
  var a = mi(5u);
  var b = mi(6u);
  for (var d = i32(m(3u)) - 1; d >= 0; d--) {
    let du = u32(d);
    let len = m(${W_BS}u + du);
    let c = i32(rem % len);
    rem = rem / len;
    a += c * mi(${W_AS}u + du);
    b += c * mi(${W_BT}u + du);
  }
  return vec2<i32>(a, b);
}
fn A(base: i32, i: u32, k: u32) -> f32 { return bitcast<f32>(ina[u32(base + i32(i) * mi(7u) + i32(k) * mi(8u))]); }
fn B(base: i32, k: u32, j: u32) -> f32 { return bitcast<f32>(inb[u32(base + i32(k) * mi(9u) + i32(j) * mi(10u))]); }
`;

const BINDINGS = `
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> ina: array<u32>;
@group(0) @binding(3) var<storage, read> inb: array<u32>;`;

/**
 * Register-blocked: each thread computes RM rows × 4 columns of C. Its columns are c, c+S, c+2S,
 * c+3S (S = ⌈N/4⌉) and neighbouring threads take neighbouring c, so for a row-major B the threads of
 * a SIMD group read B at consecutive addresses (one vector load on a software adapter, coalesced on
 * hardware) and A at one shared address (a broadcast) per k, and write C at consecutive addresses.
 */
function blockedShader(ctx: GpuContext, RM: number): string {
  const rows = Array.from({ length: RM }, (_, i) => i);
  return `${UNIFORM_WGSL}${BINDINGS}${BATCH_WGSL}
@compute @workgroup_size(${ctx.wg})
fn main(${MAIN_ARGS}) {
  let M = m(0u); let N = m(1u); let K = m(2u);
  let mb = (M + ${RM - 1}u) / ${RM}u; let S = (N + 3u) / 4u;
  let t = ${threadIndex(ctx.wg)};
  if (t >= m(4u) * mb * S) { return; }
  let z = t / (mb * S);
  let rr = t % (mb * S);
  let m0 = (rr / S) * ${RM}u;
  let c = rr % S;
  let bases = batchBases(z);
  // Element indices advance by a stride per k: no multiply in the loop but the two k offsets.
  let ar = mi(7u); let ac = mi(8u); let br = mi(9u); let bc = mi(10u);
  ${rows.map((i) => `let a${i} = bases.x + i32(min(m0 + ${i}u, M - 1u)) * ar;`).join(' ')}
  let b0 = bases.y + i32(c) * bc; let b1 = bases.y + i32(min(c + S, N - 1u)) * bc;
  let b2 = bases.y + i32(min(c + 2u * S, N - 1u)) * bc; let b3 = bases.y + i32(min(c + 3u * S, N - 1u)) * bc;
  ${rows.map((i) => `var c${i} = vec4<f32>(0.0);`).join(' ')}
  var ka = 0; var kb = 0;
  for (var k = 0u; k < K; k++) {
    let bv = vec4<f32>(bitcast<f32>(inb[u32(b0 + kb)]), bitcast<f32>(inb[u32(b1 + kb)]), bitcast<f32>(inb[u32(b2 + kb)]), bitcast<f32>(inb[u32(b3 + kb)]));
    ${rows.map((i) => `c${i} += bitcast<f32>(ina[u32(a${i} + ka)]) * bv;`).join('\n    ')}
    ka += ac; kb += br;
  }
  let ob = z * M * N + m(11u);
  ${rows.map((i) => `if (m0 + ${i}u < M) { store(ob + (m0 + ${i}u) * N, c, S, N, c${i}); }`).join('\n  ')}
}
fn store(row: u32, c: u32, S: u32, N: u32, v: vec4<f32>) {
  out[row + c] = bitcast<u32>(v.x);
  if (c + S < N) { out[row + c + S] = bitcast<u32>(v.y); }
  if (c + 2u * S < N) { out[row + c + 2u * S] = bitcast<u32>(v.z); }
  if (c + 3u * S < N) { out[row + c + 3u * S] = bitcast<u32>(v.w); }
}`;
}

/** Shared-memory tiled: a T×T workgroup stages T×T tiles of A and B in workgroup memory. */
function tiledShader(T: number): string {
  return `${UNIFORM_WGSL}${BINDINGS}${BATCH_WGSL}
var<workgroup> As: array<array<f32, ${T}>, ${T}>;
var<workgroup> Bs: array<array<f32, ${T}>, ${T}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = m(0u); let N = m(1u); let K = m(2u);
  let row = wid.y * ${T}u + lid.y;
  let col = wid.x * ${T}u + lid.x;
  let z = wid.z;
  let bases = batchBases(z);
  var acc = 0.0;
  let tiles = (K + ${T - 1}u) / ${T}u;
  for (var t = 0u; t < tiles; t++) {
    let ka = t * ${T}u + lid.x;
    let kb = t * ${T}u + lid.y;
    As[lid.y][lid.x] = select(0.0, A(bases.x, min(row, M - 1u), min(ka, K - 1u)), row < M && ka < K);
    Bs[lid.y][lid.x] = select(0.0, B(bases.y, min(kb, K - 1u), min(col, N - 1u)), kb < K && col < N);
    workgroupBarrier();
    for (var k = 0u; k < ${T}u; k++) { acc += As[lid.y][k] * Bs[k][lid.x]; }
    workgroupBarrier();
  }
  if (row < M && col < N) { out[z * M * N + m(11u) + row * N + col] = bitcast<u32>(acc); }
}`;
}

export interface MatmulTarget {
  readonly handle: WebGpuHandle;
  /** Element offset of the result inside the handle. */
  readonly offset: number;
}

/** Records a[..., M, K] · b[..., K, N] into `out` (contiguous [..., M, N] at `out.offset`). */
export function recordMatmul(ctx: GpuContext, rec: Recorder, variant: MatmulVariant, a: View<WebGpuHandle>, b: View<WebGpuHandle>, out: MatmulTarget): void {
  const rank = a.shape.length;
  const M = a.shape[rank - 2]!;
  const K = a.shape[rank - 1]!;
  const N = b.shape[rank - 1]!;
  const batchShape = a.shape.slice(0, rank - 2);
  const bc = coalesce(batchShape, [
    { offset: a.offset, strides: a.strides.slice(0, rank - 2) },
    { offset: b.offset, strides: b.strides.slice(0, rank - 2) },
  ]);
  const batch = batchShape.reduce((x, y) => x * y, 1);
  if (M === 0 || N === 0 || batch === 0) return;
  if (bc.shape.length > R) throw new RnnkitError(`matmul: too many batch axes (${bc.shape.length} after merging; max ${R}).`);
  for (const [name, h] of [['a', a.handle], ['b', b.handle], ['the result', out.handle]] as const) {
    if (h.length * 4 > ctx.maxBinding) {
      throw new RnnkitError(`matmul: ${name} (${h.length * 4} bytes) exceeds the storage binding limit (${ctx.maxBinding} bytes); chunked matmul is not implemented, split the batch.`);
    }
  }
  const words = new Int32Array(64);
  words.set([M, N, K, bc.shape.length, batch, a.offset, b.offset, a.strides[rank - 2]!, a.strides[rank - 1]!, b.strides[rank - 2]!, b.strides[rank - 1]!, out.offset]);
  bc.shape.forEach((d, i) => (words[W_BS + i] = d));
  bc.layouts[0]!.strides.forEach((s, i) => (words[W_AS + i] = s));
  bc.layouts[1]!.strides.forEach((s, i) => (words[W_BT + i] = s));
  const bindings = [
    { buffer: out.handle.buffer, size: Math.max(1, out.handle.length) * 4 },
    { buffer: a.handle.buffer, size: Math.max(1, a.handle.length) * 4 },
    { buffer: b.handle.buffer, size: Math.max(1, b.handle.length) * 4 },
  ];
  const uniform = new Uint32Array(words.buffer);
  if (variant === 'tiled') {
    const T = ctx.limits.maxComputeInvocationsPerWorkgroup >= 256 ? 16 : 8;
    if (batch > ctx.limits.maxComputeWorkgroupsPerDimension) throw new RnnkitError(`matmul: batch ${batch} exceeds the adapter's workgroup limit; use the blocked variant.`);
    const p = ctx.pipeline(`matmul:tiled${T}:f32`, () => tiledShader(T));
    rec.dispatch(p, uniform, bindings, [Math.ceil(N / T), Math.ceil(M / T), batch]);
  } else {
    // 8 rows a thread where M has them (1.6× faster than 4 on SwiftShader for the LSTM's GEMMs).
    const RM = M >= 32 ? 8 : 4;
    const p = ctx.pipeline(`matmul:blocked${RM}:f32`, () => blockedShader(ctx, RM));
    rec.dispatch(p, uniform, bindings, ctx.groups(batch * Math.ceil(M / RM) * Math.ceil(N / 4)));
  }
}
