import type { DType } from '@rnnkit/tensor';

/** The uniform block every kernel reads its sizes from: 64 u32 words. */
export const UNIFORM_WGSL = /* wgsl */ `
struct U { v: array<vec4<u32>, 16> }
@group(0) @binding(0) var<uniform> u: U;
fn m(i: u32) -> u32 { return u.v[i / 4u][i % 4u]; }
fn mi(i: u32) -> i32 { return bitcast<i32>(u.v[i / 4u][i % 4u]); }
`;

/**
 * Storage offset of the i-th element (row-major) of a strided view whose rank, shape and strides sit
 * in the uniform block at words `rank`, `shapes` and `strides`, starting from `start`. Needs
 * UNIFORM_WGSL before it.
 */
export const STRIDED_WGSL = /* wgsl */ `
fn stridedAt(i: u32, start: i32, rank: u32, shapes: u32, strides: u32) -> i32 {
  var rem = i;
  var p = start;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let du = u32(d);
    let len = m(shapes + du);
    p += i32(rem % len) * mi(strides + du);
    rem = rem / len;
  }
  return p;
}
`;

/** Thread index over a 2-D grid of 1-D workgroups. */
export function threadIndex(wg: number): string {
  return `gid.x + gid.y * nwg.x * ${wg}u`;
}

export const MAIN_ARGS = '@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>';

/** WGSL value type a dtype computes in: f32, i32, or u32 for bool. */
export function wgslType(dtype: DType): string {
  return dtype === 'f32' ? 'f32' : dtype === 'i32' ? 'i32' : 'u32';
}

/** Expression decoding the u32 word `w` as the dtype's WGSL type. */
export function decode(dtype: DType, w: string): string {
  return dtype === 'bool' ? `${w}` : `bitcast<${wgslType(dtype)}>(${w})`;
}

/** Expression encoding a value of the dtype's WGSL type as a u32 word. */
export function encode(dtype: DType, v: string): string {
  return dtype === 'bool' ? `${v}` : `bitcast<u32>(${v})`;
}

/**
 * Helpers on bit patterns: WGSL lets the compiler assume floats are finite, so every NaN/Inf
 * test looks at the bits instead of comparing values.
 */
export const BITS_WGSL = /* wgsl */ `
fn finiteBits(w: u32) -> bool { return (w & 0x7f800000u) != 0x7f800000u; }
fn nanBits(w: u32) -> bool { return (w & 0x7f800000u) == 0x7f800000u && (w & 0x007fffffu) != 0u; }
fn sigmoidF(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn tanhF(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    // Taylor-free small branch: tanh via expm1-like form keeps relative accuracy near 0.
    let x2 = x * x;
    return x * (1.0 + x2 * (-0.33333334 + x2 * (0.13333334 + x2 * (-0.053968254 + x2 * (0.021869488 + x2 * -0.008863236)))));
  }
  let t = exp(-2.0 * a);
  return sign(x) * (1.0 - t) / (1.0 + t);
}
`;
