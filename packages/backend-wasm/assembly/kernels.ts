// AssemblyScript source of the fast CPU kernels (compiled by scripts/build-wasm.mjs).
// All pointers are byte offsets into linear memory; all sizes are element counts; f32 throughout.
// The JS side owns memory: it bump-allocates regions, copies tensors in, calls these, copies out.
// A JS twin of every export lives in src/internal/js-ops.ts (the fallback); keep them in step.

// ---------------------------------------------------------------- vector helpers

/** acc + a·b: one fused multiply-add with relaxed SIMD, a multiply then an add without. */
// @ts-expect-error: decorators are AssemblyScript's
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return mulAdd(a, b, acc);
}

/**
 * acc + a·b as a multiply then an add in every build: for the GEMM's leftover rows, whose three to
 * six accumulators are too few to hide the 4-cycle latency of a fused multiply-add, while the add's
 * chain is short (2×12 runs at 75 % of the FMA peak with fused, at the 3×12 tile's rate without).
 */
// @ts-expect-error: decorator
@inline function mulAdd(a: v128, b: v128, acc: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), acc);
}

// @ts-expect-error: decorator
@inline function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** c4·x⁴ + c3·x³ + c2·x² + c1·x + c0 by Horner's rule. */
// @ts-expect-error: decorator
@inline function poly4(x: v128, c4: f32, c3: f32, c2: f32, c1: f32, c0: f32): v128 {
  let p = splat(c4);
  p = madd(p, x, splat(c3));
  p = madd(p, x, splat(c2));
  p = madd(p, x, splat(c1));
  return madd(p, x, splat(c0));
}

/** exp(x) for f32 lanes (Cephes expf: range reduction by ln 2, degree-6 polynomial, ~1 ulp). */
// @ts-expect-error: decorator
@inline function vexp(x0: v128): v128 {
  // pmin/pmax are single instructions (min/max must order NaN and ±0, which costs a sequence);
  // NaN is restored at the end.
  const x1 = f32x4.pmin(f32x4.pmax(x0, splat(-87.0)), splat(88.0));
  const n = f32x4.floor(madd(x1, splat(1.44269504088896341), splat(0.5)));
  let x = f32x4.sub(x1, f32x4.mul(n, splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(n, splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = poly4(x, 1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1);
  y = madd(y, x, splat(5.0000001201e-1));
  y = f32x4.add(madd(y, z, x), splat(1.0));
  // 2ⁿ built in the exponent field. n is integral in [−126, 128], so adding 1.5·2²³ leaves n + 127
  // in the low mantissa bits (one add, where trunc_sat is a sequence of several instructions).
  const biased = f32x4.add(n, splat(12583039.0)); // 1.5·2²³ + 127
  const pow2n = i32x4.shl(i32x4.sub(biased, i32x4.splat(0x4B400000)), 23);
  const r = f32x4.mul(y, pow2n);
  // exp(NaN) is NaN (min/max above may have replaced it).
  return v128.bitselect(r, x0, f32x4.eq(x0, x0));
}

/**
 * 1 / (1 + exp(−x)) = (x > 0 ? 1 : e) / (1 + e) with e = exp(−z), z = min(|x|, 87): e ≤ 1 never
 * overflows and stays a normal number. n = round(z·log₂e) comes from a magic-biased add whose low
 * bits hold 127 − n, which shifted into the exponent field is 2⁻ⁿ; the rest r = z − n·ln 2 (two
 * steps, each product exact) gives exp(−r) = 1 + r·(r·u(r) − 1), u of degree 4 (the odd terms'
 * signs flipped, so nothing is negated) fitted by scripts/fit-exp.py: 9.3e-8 relative in f32, and
 * σ within 3.0e-7 over [−40, 40]. Clamping at 87 leaves σ(x < −87) at 1.6e-38 (a f32 rounding of
 * 0). NaN passes through.
 */
// @ts-expect-error: decorator
@inline function vsigmoid(x: v128): v128 {
  const z = f32x4.pmin(f32x4.abs(x), splat(87.0));
  // 1.5·2²³ + 127: adding it rounds −z·log₂e to an integer −n and leaves 127 − n in the low bits.
  const v = madd(z, splat(-1.44269504088896341), splat(12583039.0));
  const s = i32x4.shl(v, 23);
  const n = f32x4.sub(splat(12583039.0), v);
  let r = madd(n, splat(-0.693359375), z);
  r = madd(n, splat(2.12194440e-4), r);
  const u = poly4(r, 1.381456827e-3, -8.368698251e-3, 4.166838715e-2, -1.666652079e-1, 4.999999346e-1);
  const w = madd(r, u, splat(-1.0));
  const e = madd(f32x4.mul(s, r), w, s);
  const num = v128.bitselect(splat(1.0), e, f32x4.gt(x, splat(0)));
  return f32x4.div(num, f32x4.add(splat(1.0), e));
}

/**
 * tanh(x) = x·P(x²)/Q(x²) on |x| ≤ 9 (past it tanh rounds to 1 in f32), P and Q of degree 4, fitted
 * for the largest relative error by scripts/fit-tanh.py: 2e-8 in exact arithmetic, 3.3e-7 evaluated
 * in f32. One division and no exp: 2.4× faster than 1 − 2/(e^{2|x|} + 1) blended with a small-|x|
 * polynomial. Odd, so the sign is x's; capped at 1; NaN passes through.
 */
// @ts-expect-error: decorator
@inline function vtanh(x: v128): v128 {
  const ax = f32x4.pmin(f32x4.abs(x), splat(9.0));
  const s = f32x4.mul(ax, ax);
  const p = poly4(s, 1.335481913e-8, 2.060930751e-5, 3.495607759e-3, 1.338104441e-1, 9.999999797e-1);
  const q = poly4(s, 7.776653699e-7, 3.285662541e-4, 2.587706373e-2, 4.671436010e-1, 1.0);
  const r = f32x4.pmin(f32x4.div(f32x4.mul(ax, p), q), splat(1.0));
  const signed = v128.or(r, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(signed, x, f32x4.eq(x, x));
}

/** Loads 4 lanes, or one value splatted (the scalar tail runs the same vector math on lane 0). */
// @ts-expect-error: decorator
@inline function ld(p: usize, vec: bool): v128 {
  return vec ? v128.load(p) : f32x4.splat(load<f32>(p));
}

// @ts-expect-error: decorator
@inline function st(p: usize, v: v128, vec: bool): void {
  if (vec) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

/** A gate's pre-activation at one place: input projection + recurrent product + bias, added in that order. */
// @ts-expect-error: decorator
@inline function preact(x: usize, p: usize, bias: usize, vec: bool): v128 {
  return f32x4.add(f32x4.add(ld(x, vec), ld(p, vec)), ld(bias, vec));
}

// ---------------------------------------------------------------- GEMM

/**
 * Columns per packed panel of B, which is the micro-kernel's width. With fused multiply-add the
 * kernel is 3 rows × 12 columns: nine accumulators, one more than the FMA latency (4 cycles) times
 * its throughput (2 a cycle) needs, where 4×8 has exactly eight and stalls; and 6 loads per 9 FMAs
 * rather than per 8. Without it (a multiply then an add, which needs a temporary register, so 3×12
 * spills under V8) it is 2 rows × 16 columns: as fast as 4×8 on a quiet core, 7–10 % faster when the
 * core is shared (it splats two A values per k, not four), and B = 32 or 3200 rows leave no
 * remainder (ADR 0014).
 */
const NR: i32 = ASC_FEATURE_RELAXED_SIMD ? 12 : 16;

/** Floats that packB writes for a K×N matrix (panels of NR columns, zero past N); also the padded length of a bias (K = 1). */
export function packedLength(K: i32, N: i32): i32 {
  return (N + NR - 1) / NR * NR * K;
}

/** Rows of B packed per pass over the panels (4: few enough read streams, whole lines written). */
const KB = 4;

/**
 * Packs B (K×N, element (k, n) at src + 4·(k·sk + n·sn)) into panels of NR columns: panel p holds
 * K rows of NR floats (columns NR·p .. NR·p + NR − 1, zero past N). Any 2-D layout works: NN
 * (sk = N, sn = 1), transposed (sk = 1, sn = K), strided.
 */
export function packB(src: usize, sk: i32, sn: i32, K: i32, N: i32, dst: usize): void {
  const panels = (N + NR - 1) / NR;
  const rowBytes = <usize>NR << 2;
  const panelBytes = <usize>K * rowBytes;
  let p = 0;
  if (sn == 1) {
    // Rows of B are contiguous: take KB rows at a time across every full panel, so the source
    // streams through once (panel by panel, a large B is read a panel's width per line and its
    // lines are evicted before the rest is used) and each panel gets whole lines.
    const full = N / NR;
    for (let k0 = 0; k0 < K; k0 += KB) {
      const k1 = min(K, k0 + KB);
      let d0 = dst + <usize>k0 * rowBytes;
      for (let q = 0; q < full; q++) {
        const o = <usize>q * rowBytes;
        for (let k = k0; k < k1; k++) {
          const s = src + (<usize>k * sk << 2) + o;
          const d = d0 + <usize>(k - k0) * rowBytes;
          v128.store(d, v128.load(s));
          v128.store(d + 16, v128.load(s + 16));
          if (NR >= 12) v128.store(d + 32, v128.load(s + 32));
          if (NR == 16) v128.store(d + 48, v128.load(s + 48));
        }
        d0 += panelBytes;
      }
    }
    p = full;
  }
  for (; p < panels; p++) {
    const n0 = p * NR;
    const base = dst + <usize>p * panelBytes;
    for (let k = 0; k < K; k++) {
      const row = base + <usize>k * rowBytes;
      for (let j = 0; j < NR; j++) {
        const n = n0 + j;
        store<f32>(row + (<usize>j << 2), n < N ? load<f32>(src + ((<usize>k * sk + <usize>n * sn) << 2)) : 0);
      }
    }
  }
}

/** Lane l (0..3, a constant once inlined) of v. */
// @ts-expect-error: decorator
@inline function lane(v: v128, l: i32): f32 {
  return l == 0 ? f32x4.extract_lane(v, 0) : l == 1 ? f32x4.extract_lane(v, 1) : l == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

// @ts-expect-error: decorator
@inline function storeVec(c: usize, v: v128, acc: bool, pbias: usize, bias: bool): void {
  if (bias) v = f32x4.add(v, v128.load(pbias));
  if (acc) v = f32x4.add(v, v128.load(c));
  v128.store(c, v);
}

/** Stores one row of a tile (NR columns in v0 .. v3, as many as NR needs), the first `cols` of them. */
// @ts-expect-error: decorator
@inline function storeRow(c: usize, v0: v128, v1: v128, v2: v128, v3: v128, cols: i32, acc: bool, pbias: usize, bias: bool): void {
  if (cols == NR) {
    storeVec(c, v0, acc, pbias, bias);
    storeVec(c + 16, v1, acc, pbias + 16, bias);
    if (NR >= 12) storeVec(c + 32, v2, acc, pbias + 32, bias);
    if (NR == 16) storeVec(c + 48, v3, acc, pbias + 48, bias);
    return;
  }
  // Column tail: lane by lane (lane indices must be constants).
  for (let j = 0; j < cols; j++) {
    const v = j < 4 ? v0 : j < 8 ? v1 : j < 12 ? v2 : v3;
    const p = c + (<usize>j << 2);
    let x = lane(v, j & 3);
    if (bias) x += load<f32>(pbias + (<usize>j << 2));
    store<f32>(p, acc ? load<f32>(p) + x : x);
  }
}

/**
 * C[M×N] = (accumulate ? C : 0) + A·B, with A element (i, k) at a + 4·(i·sai + k·sak) (so NN and
 * TN are the same code) and B packed by packB. Micro-kernel: 3 rows × 12 columns (relaxed SIMD) or
 * 2 rows × 16 columns of v128 accumulators, one A value splatted per row, a panel row of B per k.
 */
export function gemm(M: i32, N: i32, K: i32, a: usize, sai: i32, sak: i32, bp: usize, c: usize, ldc: i32, accumulate: i32): void {
  gemmInto(M, N, K, a, sai, sak, bp, c, ldc, accumulate != 0, 0);
}

/**
 * C[M×N] = A·B + bias, the bias (packedLength(1, N) floats, zero past N) added to every row as each
 * tile is stored: a matmul then a broadcast add, rounded the same, in one pass.
 */
export function gemmBias(M: i32, N: i32, K: i32, a: usize, sai: i32, sak: i32, bp: usize, c: usize, ldc: i32, bias: usize): void {
  gemmInto(M, N, K, a, sai, sak, bp, c, ldc, false, bias);
}

/**
 * R (3 or 2, a constant where inlined) rows of a 12-column panel: the relaxed build's tile (fused
 * multiply-adds) and its 2-row leftover (multiply then add: see mulAdd).
 */
// @ts-expect-error: decorator
@inline function rows12(R: i32, fused: bool, K: i32, pa: usize, ai: usize, ak: usize, pb: usize, pc: usize, lc: usize, cols: i32,
  acc: bool, pbias: usize, hasBias: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb + 16);
    const b2 = v128.load(pb + 32);
    let x = v128.load32_splat(pa);
    c00 = fused ? madd(x, b0, c00) : mulAdd(x, b0, c00);
    c01 = fused ? madd(x, b1, c01) : mulAdd(x, b1, c01);
    c02 = fused ? madd(x, b2, c02) : mulAdd(x, b2, c02);
    x = v128.load32_splat(pa + ai);
    c10 = fused ? madd(x, b0, c10) : mulAdd(x, b0, c10);
    c11 = fused ? madd(x, b1, c11) : mulAdd(x, b1, c11);
    c12 = fused ? madd(x, b2, c12) : mulAdd(x, b2, c12);
    if (R == 3) {
      x = v128.load32_splat(pa + 2 * ai);
      c20 = fused ? madd(x, b0, c20) : mulAdd(x, b0, c20);
      c21 = fused ? madd(x, b1, c21) : mulAdd(x, b1, c21);
      c22 = fused ? madd(x, b2, c22) : mulAdd(x, b2, c22);
    }
    pa += ak;
    pb += 48;
  }
  const z = f32x4.splat(0);
  storeRow(pc, c00, c01, c02, z, cols, acc, pbias, hasBias);
  storeRow(pc + lc, c10, c11, c12, z, cols, acc, pbias, hasBias);
  if (R == 3) storeRow(pc + 2 * lc, c20, c21, c22, z, cols, acc, pbias, hasBias);
}

// @ts-expect-error: decorator
@inline function gemmInto(M: i32, N: i32, K: i32, a: usize, sai: i32, sak: i32, bp: usize, c: usize, ldc: i32, acc: bool, bias: usize): void {
  const hasBias = bias != 0;
  const panels = (N + NR - 1) / NR;
  const ak = <usize>sak << 2;
  const ai = <usize>sai << 2;
  const lc = <usize>ldc << 2;
  // Rows in blocks (a multiple of the tile height, 3 or 2) so a block of A stays in cache while every panel of B passes over it.
  const MB = NR == 12 ? 66 : 64;
  for (let i0 = 0; i0 < M; i0 += MB) {
    const i1 = min(M, i0 + MB);
    for (let p = 0; p < panels; p++) {
      const n0 = p * NR;
      const cols = min(NR, N - n0);
      const panel = bp + <usize>p * <usize>K * (<usize>NR << 2);
      // The panel's bias, loaded at each store (holding it across the k loop would take registers).
      const pbias = bias + (<usize>n0 << 2);
      let i = i0;
      if (NR == 12) {
        for (; i + 3 <= i1; i += 3) rows12(3, true, K, a + <usize>i * ai, ai, ak, panel, c + ((<usize>i * ldc + n0) << 2), lc, cols, acc, pbias, hasBias);
      } else {
        for (; i + 2 <= i1; i += 2) {
          let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
          let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
          let pa = a + <usize>i * ai;
          let pb = panel;
          for (let k = 0; k < K; k++) {
            const b0 = v128.load(pb);
            const b1 = v128.load(pb + 16);
            const b2 = v128.load(pb + 32);
            const b3 = v128.load(pb + 48);
            const a0 = v128.load32_splat(pa);
            const a1 = v128.load32_splat(pa + ai);
            c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01); c02 = madd(a0, b2, c02); c03 = madd(a0, b3, c03);
            c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11); c12 = madd(a1, b2, c12); c13 = madd(a1, b3, c13);
            pa += ak;
            pb += 64;
          }
          const pc = c + ((<usize>i * ldc + n0) << 2);
          storeRow(pc, c00, c01, c02, c03, cols, acc, pbias, hasBias);
          storeRow(pc + lc, c10, c11, c12, c13, cols, acc, pbias, hasBias);
        }
      }
      // Rows left over (a multiply then an add: see mulAdd): two at a time (3×12 only), then one.
      if (NR == 12) {
        for (; i + 2 <= i1; i += 2) rows12(2, false, K, a + <usize>i * ai, ai, ak, panel, c + ((<usize>i * ldc + n0) << 2), lc, cols, acc, pbias, hasBias);
      }
      for (; i < i1; i++) {
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let pa = a + <usize>i * ai;
        let pb = panel;
        for (let k = 0; k < K; k++) {
          const a0 = v128.load32_splat(pa);
          c00 = mulAdd(a0, v128.load(pb), c00);
          c01 = mulAdd(a0, v128.load(pb + 16), c01);
          c02 = mulAdd(a0, v128.load(pb + 32), c02);
          if (NR == 16) c03 = mulAdd(a0, v128.load(pb + 48), c03);
          pa += ak;
          pb += <usize>NR << 2;
        }
        storeRow(c + ((<usize>i * ldc + n0) << 2), c00, c01, c02, c03, cols, acc, pbias, hasBias);
      }
    }
  }
}

// ---------------------------------------------------------------- small helpers

/**
 * dst[r·ldd + c] = src[r·s0 + c·s1] for an R×C view (ldd ≥ C: the destination may be a column block
 * of a wider matrix): makes a transposed (column-major) A row-major before a GEMM, in 16×16 tiles
 * so both sides stay in cache.
 */
export function copy2D(src: usize, s0: i32, s1: i32, R: i32, C: i32, dst: usize, ldd: i32): void {
  if (s0 == 1 && s1 != 1) {
    transposeCopy(src, s1, R, C, dst, ldd);
    return;
  }
  for (let r0 = 0; r0 < R; r0 += 16) {
    const r1 = min(R, r0 + 16);
    for (let c0 = 0; c0 < C; c0 += 16) {
      const c1 = min(C, c0 + 16);
      for (let r = r0; r < r1; r++) {
        const d = dst + (<usize>r * ldd << 2);
        for (let c = c0; c < c1; c++) store<f32>(d + (<usize>c << 2), load<f32>(src + ((<usize>r * s0 + <usize>c * s1) << 2)));
      }
    }
  }
}

/**
 * copy2D of a transposed source (element (r, c) at src + 4·(r + c·s1)): 4×4 blocks read as four
 * vectors down the columns, transposed in registers with shuffles and stored along the rows, in
 * 32×32 tiles so both sides stay in cache. Scalar for the edges past a multiple of 4.
 */
function transposeCopy(src: usize, s1: i32, R: i32, C: i32, dst: usize, ldd: i32): void {
  const R4 = R & ~3;
  const C4 = C & ~3;
  const col = <usize>s1 << 2;
  const row = <usize>ldd << 2;
  for (let r0 = 0; r0 < R4; r0 += 32) {
    const r1 = min(R4, r0 + 32);
    for (let c0 = 0; c0 < C4; c0 += 32) {
      const c1 = min(C4, c0 + 32);
      for (let r = r0; r < r1; r += 4) {
        for (let c = c0; c < c1; c += 4) {
          const p = src + ((<usize>r + <usize>c * s1) << 2);
          const v0 = v128.load(p);
          const v1 = v128.load(p + col);
          const v2 = v128.load(p + 2 * col);
          const v3 = v128.load(p + 3 * col);
          const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5);
          const t1 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
          const t2 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
          const t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
          const d = dst + ((<usize>r * ldd + <usize>c) << 2);
          v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
          v128.store(d + row, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
          v128.store(d + 2 * row, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
          v128.store(d + 3 * row, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
        }
      }
    }
  }
  // Edges: the last R − R4 rows (every column), then the last C − C4 columns of the other rows.
  for (let r = R4; r < R; r++) {
    for (let c = 0; c < C; c++) store<f32>(dst + ((<usize>r * ldd + <usize>c) << 2), load<f32>(src + ((<usize>r + <usize>c * s1) << 2)));
  }
  for (let r = 0; r < R4; r++) {
    for (let c = C4; c < C; c++) store<f32>(dst + ((<usize>r * ldd + <usize>c) << 2), load<f32>(src + ((<usize>r + <usize>c * s1) << 2)));
  }
}

/** dst[b] = src[b] (rows of H floats) for every b whose rows[b] ≥ 0. */
export function mergeRows(B: i32, H: i32, rows: usize, src: usize, dst: usize): void {
  for (let b = 0; b < B; b++) {
    if (load<i32>(rows + (<usize>b << 2)) < 0) continue;
    memory.copy(dst + (<usize>b * H << 2), src + (<usize>b * H << 2), <usize>H << 2);
  }
}

/** dst[c] = Σ_r src[r, c] over R rows of C floats. */
export function colSum(R: i32, C: i32, src: usize, dst: usize): void {
  memory.fill(dst, 0, <usize>C << 2);
  for (let r = 0; r < R; r++) {
    const s = src + (<usize>r * C << 2);
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const p = dst + (<usize>c << 2);
      v128.store(p, f32x4.add(v128.load(p), v128.load(s + (<usize>c << 2))));
    }
    for (; c < C; c++) {
      const p = dst + (<usize>c << 2);
      store<f32>(p, load<f32>(p) + load<f32>(s + (<usize>c << 2)));
    }
  }
}

// ---------------------------------------------------------------- RNN

// @ts-expect-error: decorator
@inline function rnnFwdAt(j: usize, p: usize, x: usize, bias: usize, hb: usize, hPrev: usize, hs: usize, relu: bool, vec: bool, save: bool): void {
  const a = preact(x + j, p + j, bias + j, vec);
  const y = relu ? f32x4.max(a, splat(0)) : vtanh(a);
  if (save) st(hPrev + j, ld(hb + j, vec), vec);
  st(hb + j, y, vec);
  st(hs + j, y, vec);
}

/**
 * One step: h_b ← act(x_row + P_b + bias) for every active b (rows[b] ≥ 0 is the [T·B] row it reads
 * and writes). Saves h_{t−1} to hPrev for the backward unless hPrev is 0 (inference).
 */
export function rnnFwdStep(B: i32, H: i32, P: usize, X: usize, bias: usize, rows: usize, h: usize, hPrev: usize, hs: usize, relu: i32): void {
  const hb4 = <usize>H << 2;
  const save = hPrev != 0;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const p = P + <usize>b * hb4;
    const x = X + <usize>row * hb4;
    const hb = h + <usize>b * hb4;
    const hp = hPrev + <usize>row * hb4;
    const ho = hs + <usize>row * hb4;
    let j = 0;
    // Four monomorphic loops: the activation and whether to save are constants inside each.
    if (relu != 0 && save) {
      for (; j + 4 <= H; j += 4) rnnFwdAt(<usize>j << 2, p, x, bias, hb, hp, ho, true, true, true);
      for (; j < H; j++) rnnFwdAt(<usize>j << 2, p, x, bias, hb, hp, ho, true, false, true);
    } else if (relu != 0) {
      for (; j + 4 <= H; j += 4) rnnFwdAt(<usize>j << 2, p, x, bias, hb, hp, ho, true, true, false);
      for (; j < H; j++) rnnFwdAt(<usize>j << 2, p, x, bias, hb, hp, ho, true, false, false);
    } else if (save) {
      for (; j + 4 <= H; j += 4) rnnFwdAt(<usize>j << 2, p, x, bias, hb, hp, ho, false, true, true);
      for (; j < H; j++) rnnFwdAt(<usize>j << 2, p, x, bias, hb, hp, ho, false, false, true);
    } else {
      for (; j + 4 <= H; j += 4) rnnFwdAt(<usize>j << 2, p, x, bias, hb, hp, ho, false, true, false);
      for (; j < H; j++) rnnFwdAt(<usize>j << 2, p, x, bias, hb, hp, ho, false, false, false);
    }
  }
}

// @ts-expect-error: decorator
@inline function rnnBwdAt(j: usize, dhb: usize, dhsIn: usize, y: usize, dG: usize, dGs: usize, dhsOut: usize, relu: bool, vec: bool): void {
  let dh = ld(dhb + j, vec);
  if (dhsIn != 0) dh = f32x4.add(dh, ld(dhsIn + j, vec));
  if (dhsOut != 0) st(dhsOut + j, dh, vec);
  const yv = ld(y + j, vec);
  const d = relu
    ? v128.and(dh, f32x4.gt(yv, splat(0)))
    : f32x4.mul(dh, f32x4.sub(splat(1.0), f32x4.mul(yv, yv)));
  st(dG + j, d, vec);
  st(dGs + j, d, vec);
}

export function rnnBwdStep(B: i32, H: i32, rows: usize, dhsIn: usize, dh: usize, hNew: usize, dG: usize, dGstep: usize, dhsOut: usize, relu: i32): void {
  const hb4 = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const ro = <usize>row * hb4;
    const dIn = dhsIn == 0 ? <usize>0 : dhsIn + ro;
    const dOut = dhsOut == 0 ? <usize>0 : dhsOut + ro;
    const dhb = dh + <usize>b * hb4;
    const dGs = dGstep + <usize>b * hb4;
    let j = 0;
    if (relu != 0) {
      for (; j + 4 <= H; j += 4) rnnBwdAt(<usize>j << 2, dhb, dIn, hNew + ro, dG + ro, dGs, dOut, true, true);
      for (; j < H; j++) rnnBwdAt(<usize>j << 2, dhb, dIn, hNew + ro, dG + ro, dGs, dOut, true, false);
    } else {
      for (; j + 4 <= H; j += 4) rnnBwdAt(<usize>j << 2, dhb, dIn, hNew + ro, dG + ro, dGs, dOut, false, true);
      for (; j < H; j++) rnnBwdAt(<usize>j << 2, dhb, dIn, hNew + ro, dG + ro, dGs, dOut, false, false);
    }
  }
}

// ---------------------------------------------------------------- LSTM

/** The four gate activations i, f, g, o at j, written to a (P's row in place, or the saved gates). */
// @ts-expect-error: decorator
@inline function lstmGatesAt(j: usize, H4: usize, p: usize, x: usize, bias: usize, a: usize, vec: bool): void {
  st(a + j, vsigmoid(preact(x + j, p + j, bias + j, vec)), vec);
  st(a + H4 + j, vsigmoid(preact(x + H4 + j, p + H4 + j, bias + H4 + j, vec)), vec);
  st(a + 2 * H4 + j, vtanh(preact(x + 2 * H4 + j, p + 2 * H4 + j, bias + 2 * H4 + j, vec)), vec);
  st(a + 3 * H4 + j, vsigmoid(preact(x + 3 * H4 + j, p + 3 * H4 + j, bias + 3 * H4 + j, vec)), vec);
}

/** The state update at j from the activations in a: c = f·c + i·g, h = o·tanh(c). */
// @ts-expect-error: decorator
@inline function lstmStateAt(j: usize, H4: usize, a: usize, hb: usize, cb: usize, hp: usize, cp: usize, co: usize, ho: usize,
  vec: bool, save: bool): void {
  const cv = ld(cb + j, vec);
  if (save) {
    st(hp + j, ld(hb + j, vec), vec);
    st(cp + j, cv, vec);
  }
  const c = madd(ld(a + H4 + j, vec), cv, f32x4.mul(ld(a + j, vec), ld(a + 2 * H4 + j, vec)));
  const h = f32x4.mul(ld(a + 3 * H4 + j, vec), vtanh(c));
  st(cb + j, c, vec);
  st(hb + j, h, vec);
  if (save) st(co + j, c, vec);
  st(ho + j, h, vec);
}

/**
 * One LSTM step (gates i, f, g, o) for every active b; writes hs, and saves gates, hPrev, cPrev and
 * c for the backward unless gates is 0 (inference: the activations overwrite P's row, and nothing
 * else is stored). Two passes over a row, the activations then the state update: in one pass each
 * element is a chain of two activations in series (≈ 130 cycles), too long for the out-of-order
 * window to overlap enough elements; split, the gate pass runs 5–8 % faster.
 */
export function lstmFwdStep(B: i32, H: i32, P: usize, X: usize, bias: usize, rows: usize, h: usize, c: usize,
  gates: usize, hPrev: usize, cPrev: usize, cs: usize, hs: usize): void {
  const H4 = <usize>H << 2;
  const G4 = H4 << 2;
  const save = gates != 0;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const rg = <usize>row * G4;
    const rh = <usize>row * H4;
    const p = P + <usize>b * G4;
    const hb = h + <usize>b * H4;
    const cb = c + <usize>b * H4;
    const a = save ? gates + rg : p;
    let j = 0;
    for (; j + 4 <= H; j += 4) lstmGatesAt(<usize>j << 2, H4, p, X + rg, bias, a, true);
    for (; j < H; j++) lstmGatesAt(<usize>j << 2, H4, p, X + rg, bias, a, false);
    j = 0;
    if (save) {
      for (; j + 4 <= H; j += 4) lstmStateAt(<usize>j << 2, H4, a, hb, cb, hPrev + rh, cPrev + rh, cs + rh, hs + rh, true, true);
      for (; j < H; j++) lstmStateAt(<usize>j << 2, H4, a, hb, cb, hPrev + rh, cPrev + rh, cs + rh, hs + rh, false, true);
    } else {
      for (; j + 4 <= H; j += 4) lstmStateAt(<usize>j << 2, H4, a, hb, cb, 0, 0, 0, hs + rh, true, false);
      for (; j < H; j++) lstmStateAt(<usize>j << 2, H4, a, hb, cb, 0, 0, 0, hs + rh, false, false);
    }
  }
}

// @ts-expect-error: decorator
@inline function lstmBwdAt(j: usize, H4: usize, dhb: usize, dcb: usize, dIn: usize, g: usize, cp: usize, cs: usize,
  dG: usize, dGs: usize, dhOut: usize, dcOut: usize, vec: bool): void {
  let dh = ld(dhb + j, vec);
  if (dIn != 0) dh = f32x4.add(dh, ld(dIn + j, vec));
  const dc = ld(dcb + j, vec);
  if (dhOut != 0) st(dhOut + j, dh, vec);
  if (dcOut != 0) st(dcOut + j, dc, vec);
  const one = splat(1.0);
  const i = ld(g + j, vec);
  const f = ld(g + H4 + j, vec);
  const gg = ld(g + 2 * H4 + j, vec);
  const o = ld(g + 3 * H4 + j, vec);
  const tc = vtanh(ld(cs + j, vec));
  const dcT = madd(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc)), dc);
  const di = f32x4.mul(f32x4.mul(dcT, gg), f32x4.mul(i, f32x4.sub(one, i)));
  const df = f32x4.mul(f32x4.mul(dcT, ld(cp + j, vec)), f32x4.mul(f, f32x4.sub(one, f)));
  const dg = f32x4.mul(f32x4.mul(dcT, i), f32x4.sub(one, f32x4.mul(gg, gg)));
  const dO = f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o)));
  st(dG + j, di, vec); st(dGs + j, di, vec);
  st(dG + H4 + j, df, vec); st(dGs + H4 + j, df, vec);
  st(dG + 2 * H4 + j, dg, vec); st(dGs + 2 * H4 + j, dg, vec);
  st(dG + 3 * H4 + j, dO, vec); st(dGs + 3 * H4 + j, dO, vec);
  st(dcb + j, f32x4.mul(dcT, f), vec);
}

/**
 * One LSTM backward step for every active b: dh (+ dhs of the row) and dc are the state adjoints;
 * writes the gate gradients to dG (row) and dGstep (b), and dc ← dc_{t−1}. dh_{t−1} = dGstep·W_hh follows as a GEMM.
 */
export function lstmBwdStep(B: i32, H: i32, rows: usize, dhsIn: usize, dh: usize, dc: usize, gates: usize, cPrev: usize, cs: usize,
  dG: usize, dGstep: usize, dhsOut: usize, dcsOut: usize): void {
  const H4 = <usize>H << 2;
  const G4 = H4 << 2;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const rg = <usize>row * G4;
    const rh = <usize>row * H4;
    const dIn = dhsIn == 0 ? <usize>0 : dhsIn + rh;
    const dhO = dhsOut == 0 ? <usize>0 : dhsOut + rh;
    const dcO = dcsOut == 0 ? <usize>0 : dcsOut + rh;
    const dhb = dh + <usize>b * H4;
    const dcb = dc + <usize>b * H4;
    const dGs = dGstep + <usize>b * G4;
    let j = 0;
    for (; j + 4 <= H; j += 4) lstmBwdAt(<usize>j << 2, H4, dhb, dcb, dIn, gates + rg, cPrev + rh, cs + rh, dG + rg, dGs, dhO, dcO, true);
    for (; j < H; j++) lstmBwdAt(<usize>j << 2, H4, dhb, dcb, dIn, gates + rg, cPrev + rh, cs + rh, dG + rg, dGs, dhO, dcO, false);
  }
}

// ---------------------------------------------------------------- GRU

/** The reset and update gates r, z at j, written to a (P's row in place, or the saved gates). */
// @ts-expect-error: decorator
@inline function gruGatesAt(j: usize, H4: usize, p: usize, x: usize, bias: usize, a: usize, vec: bool): void {
  st(a + j, vsigmoid(preact(x + j, p + j, bias + j, vec)), vec);
  st(a + H4 + j, vsigmoid(preact(x + H4 + j, p + H4 + j, bias + H4 + j, vec)), vec);
}

/** Reset-after n and the new h at j, from r, z in a. */
// @ts-expect-error: decorator
@inline function gruAfterStateAt(j: usize, H4: usize, p: usize, x: usize, bias: usize, a: usize, hb: usize, g: usize, hp: usize, hn: usize, ho: usize,
  vec: bool, save: bool): void {
  const r = ld(a + j, vec);
  const z = ld(a + H4 + j, vec);
  const pn = f32x4.add(ld(p + 2 * H4 + j, vec), ld(bias + 2 * H4 + j, vec));
  const n = vtanh(madd(r, pn, ld(x + 2 * H4 + j, vec)));
  const hv = ld(hb + j, vec);
  if (save) {
    st(g + 2 * H4 + j, n, vec);
    st(hn + j, pn, vec);
    st(hp + j, hv, vec);
  }
  // (1 − z)·n + z·h = n + z·(h − n)
  const h = madd(z, f32x4.sub(hv, n), n);
  st(hb + j, h, vec);
  st(ho + j, h, vec);
}

/**
 * GRU step, reset-after variant: P holds W_hh·h for all 3H rows. Saves gates (r, z, n), hPrev and
 * hn = W_hn·h + b_hn for the backward unless gates is 0 (inference: r and z overwrite P's row, and
 * only hs and the state are written). Two passes over a row, as lstmFwdStep.
 */
export function gruFwdStepAfter(B: i32, H: i32, P: usize, X: usize, bias: usize, rows: usize, h: usize, gates: usize, hPrev: usize, hn: usize, hs: usize): void {
  const H4 = <usize>H << 2;
  const G4 = H4 * 3;
  const save = gates != 0;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const rg = <usize>row * G4;
    const rh = <usize>row * H4;
    const p = P + <usize>b * G4;
    const hb = h + <usize>b * H4;
    const a = save ? gates + rg : p;
    let j = 0;
    for (; j + 4 <= H; j += 4) gruGatesAt(<usize>j << 2, H4, p, X + rg, bias, a, true);
    for (; j < H; j++) gruGatesAt(<usize>j << 2, H4, p, X + rg, bias, a, false);
    j = 0;
    if (save) {
      for (; j + 4 <= H; j += 4) gruAfterStateAt(<usize>j << 2, H4, p, X + rg, bias, a, hb, gates + rg, hPrev + rh, hn + rh, hs + rh, true, true);
      for (; j < H; j++) gruAfterStateAt(<usize>j << 2, H4, p, X + rg, bias, a, hb, gates + rg, hPrev + rh, hn + rh, hs + rh, false, true);
    } else {
      for (; j + 4 <= H; j += 4) gruAfterStateAt(<usize>j << 2, H4, p, X + rg, bias, a, hb, 0, 0, 0, hs + rh, true, false);
      for (; j < H; j++) gruAfterStateAt(<usize>j << 2, H4, p, X + rg, bias, a, hb, 0, 0, 0, hs + rh, false, false);
    }
  }
}

// @ts-expect-error: decorator
@inline function gruFwdBefore1At(j: usize, H4: usize, p: usize, x: usize, bias: usize, hb: usize, g: usize, hp: usize, rhb: usize, vec: bool): void {
  gruGatesAt(j, H4, p, x, bias, g, vec);
  const hv = ld(hb + j, vec);
  st(hp + j, hv, vec);
  st(rhb + j, f32x4.mul(ld(g + j, vec), hv), vec);
}

/** Reset-before GRU, first half: Prz = W_hrz·h ([B, 2H]); writes r, z, hPrev and rh_b = r ⊙ h (compact [B, H]). */
export function gruFwdStepBefore1(B: i32, H: i32, Prz: usize, X: usize, bias: usize, rows: usize, h: usize, gates: usize, hPrev: usize, rh: usize): void {
  const H4 = <usize>H << 2;
  const G4 = H4 * 3;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const rg = <usize>row * G4;
    const p = Prz + <usize>b * (H4 << 1);
    const hb = h + <usize>b * H4;
    const hp = hPrev + <usize>row * H4;
    const rhb = rh + <usize>b * H4;
    let j = 0;
    for (; j + 4 <= H; j += 4) gruFwdBefore1At(<usize>j << 2, H4, p, X + rg, bias, hb, gates + rg, hp, rhb, true);
    for (; j < H; j++) gruFwdBefore1At(<usize>j << 2, H4, p, X + rg, bias, hb, gates + rg, hp, rhb, false);
  }
}

// @ts-expect-error: decorator
@inline function gruFwdBefore2At(j: usize, H4: usize, pn: usize, x: usize, bias: usize, hb: usize, g: usize, ho: usize, vec: bool): void {
  const n = vtanh(preact(x + 2 * H4 + j, pn + j, bias + 2 * H4 + j, vec));
  const z = ld(g + H4 + j, vec);
  const hv = ld(hb + j, vec);
  st(g + 2 * H4 + j, n, vec);
  const h = madd(z, f32x4.sub(hv, n), n);
  st(hb + j, h, vec);
  st(ho + j, h, vec);
}

/** Reset-before GRU, second half: Pn = W_hn·(r ⊙ h) ([B, H]); n and the state update. */
export function gruFwdStepBefore2(B: i32, H: i32, Pn: usize, X: usize, bias: usize, rows: usize, h: usize, gates: usize, hs: usize): void {
  const H4 = <usize>H << 2;
  const G4 = H4 * 3;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const rg = <usize>row * G4;
    const pn = Pn + <usize>b * H4;
    const hb = h + <usize>b * H4;
    const ho = hs + <usize>row * H4;
    let j = 0;
    for (; j + 4 <= H; j += 4) gruFwdBefore2At(<usize>j << 2, H4, pn, X + rg, bias, hb, gates + rg, ho, true);
    for (; j < H; j++) gruFwdBefore2At(<usize>j << 2, H4, pn, X + rg, bias, hb, gates + rg, ho, false);
  }
}

// @ts-expect-error: decorator
@inline function gruBwdAfterAt(j: usize, H4: usize, dhb: usize, dIn: usize, g: usize, hp: usize, hn: usize, dG: usize, dX: usize, dGs: usize,
  dPart: usize, dhOut: usize, vec: bool): void {
  let dh = ld(dhb + j, vec);
  if (dIn != 0) dh = f32x4.add(dh, ld(dIn + j, vec));
  if (dhOut != 0) st(dhOut + j, dh, vec);
  const one = splat(1.0);
  const r = ld(g + j, vec);
  const z = ld(g + H4 + j, vec);
  const n = ld(g + 2 * H4 + j, vec);
  const dn = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  const dz = f32x4.mul(f32x4.mul(dh, f32x4.sub(ld(hp + j, vec), n)), f32x4.mul(z, f32x4.sub(one, z)));
  const dr = f32x4.mul(f32x4.mul(dn, ld(hn + j, vec)), f32x4.mul(r, f32x4.sub(one, r)));
  const dnr = f32x4.mul(dn, r);
  st(dG + j, dr, vec); st(dX + j, dr, vec); st(dGs + j, dr, vec);
  st(dG + H4 + j, dz, vec); st(dX + H4 + j, dz, vec); st(dGs + H4 + j, dz, vec);
  st(dG + 2 * H4 + j, dnr, vec); st(dX + 2 * H4 + j, dn, vec); st(dGs + 2 * H4 + j, dnr, vec);
  st(dPart + j, f32x4.mul(dh, z), vec);
}

/** Reset-after GRU backward step; dhPart_b = dh ⊙ z, to which dGstep·W_hh is added by a GEMM. */
export function gruBwdStepAfter(B: i32, H: i32, rows: usize, dhsIn: usize, dh: usize, gates: usize, hPrev: usize, hn: usize,
  dG: usize, dX: usize, dGstep: usize, dhPart: usize, dhsOut: usize): void {
  const H4 = <usize>H << 2;
  const G4 = H4 * 3;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const rg = <usize>row * G4;
    const rh = <usize>row * H4;
    const dIn = dhsIn == 0 ? <usize>0 : dhsIn + rh;
    const dhO = dhsOut == 0 ? <usize>0 : dhsOut + rh;
    const dhb = dh + <usize>b * H4;
    const dGs = dGstep + <usize>b * G4;
    const dP = dhPart + <usize>b * H4;
    let j = 0;
    for (; j + 4 <= H; j += 4) gruBwdAfterAt(<usize>j << 2, H4, dhb, dIn, gates + rg, hPrev + rh, hn + rh, dG + rg, dX + rg, dGs, dP, dhO, true);
    for (; j < H; j++) gruBwdAfterAt(<usize>j << 2, H4, dhb, dIn, gates + rg, hPrev + rh, hn + rh, dG + rg, dX + rg, dGs, dP, dhO, false);
  }
}

// @ts-expect-error: decorator
@inline function gruBwdBefore1At(j: usize, H4: usize, dhb: usize, dIn: usize, g: usize, hp: usize, dG: usize, dX: usize, dGn: usize,
  dPart: usize, dhOut: usize, vec: bool): void {
  let dh = ld(dhb + j, vec);
  if (dIn != 0) dh = f32x4.add(dh, ld(dIn + j, vec));
  if (dhOut != 0) st(dhOut + j, dh, vec);
  const one = splat(1.0);
  const z = ld(g + H4 + j, vec);
  const n = ld(g + 2 * H4 + j, vec);
  const dn = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  const dz = f32x4.mul(f32x4.mul(dh, f32x4.sub(ld(hp + j, vec), n)), f32x4.mul(z, f32x4.sub(one, z)));
  st(dG + H4 + j, dz, vec); st(dX + H4 + j, dz, vec);
  st(dG + 2 * H4 + j, dn, vec); st(dX + 2 * H4 + j, dn, vec);
  st(dGn + j, dn, vec);
  st(dPart + j, f32x4.mul(dh, z), vec);
}

/** Reset-before GRU backward, first half: dn, dz; dGn_b = dn (compact [B, H]) for u = dGn·W_hn. */
export function gruBwdStepBefore1(B: i32, H: i32, rows: usize, dhsIn: usize, dh: usize, gates: usize, hPrev: usize,
  dG: usize, dX: usize, dGn: usize, dhPart: usize, dhsOut: usize): void {
  const H4 = <usize>H << 2;
  const G4 = H4 * 3;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const rg = <usize>row * G4;
    const rh = <usize>row * H4;
    const dIn = dhsIn == 0 ? <usize>0 : dhsIn + rh;
    const dhO = dhsOut == 0 ? <usize>0 : dhsOut + rh;
    const dhb = dh + <usize>b * H4;
    const dn = dGn + <usize>b * H4;
    const dP = dhPart + <usize>b * H4;
    let j = 0;
    for (; j + 4 <= H; j += 4) gruBwdBefore1At(<usize>j << 2, H4, dhb, dIn, gates + rg, hPrev + rh, dG + rg, dX + rg, dn, dP, dhO, true);
    for (; j < H; j++) gruBwdBefore1At(<usize>j << 2, H4, dhb, dIn, gates + rg, hPrev + rh, dG + rg, dX + rg, dn, dP, dhO, false);
  }
}

// @ts-expect-error: decorator
@inline function gruBwdBefore2At(j: usize, H4: usize, u: usize, g: usize, hp: usize, dG: usize, dX: usize, dGrz: usize, dPart: usize, rh: usize, vec: bool): void {
  const one = splat(1.0);
  const uv = ld(u + j, vec);
  const r = ld(g + j, vec);
  const h = ld(hp + j, vec);
  const dr = f32x4.mul(f32x4.mul(uv, h), f32x4.mul(r, f32x4.sub(one, r)));
  st(dG + j, dr, vec); st(dX + j, dr, vec); st(dGrz + j, dr, vec);
  st(dGrz + H4 + j, ld(dG + H4 + j, vec), vec);
  st(dPart + j, madd(uv, r, ld(dPart + j, vec)), vec);
  st(rh + j, f32x4.mul(r, h), vec);
}

/** Reset-before GRU backward, second half: u = W_hnᵀ·dn splits into dr and the r ⊙ h path; dGrz_b = (dr, dz) for dhPart += dGrz·W_hrz. */
export function gruBwdStepBefore2(B: i32, H: i32, rows: usize, u: usize, gates: usize, hPrev: usize, dG: usize, dX: usize, dGrz: usize, dhPart: usize, rh: usize): void {
  const H4 = <usize>H << 2;
  const G4 = H4 * 3;
  for (let b = 0; b < B; b++) {
    const row = load<i32>(rows + (<usize>b << 2));
    if (row < 0) continue;
    const rg = <usize>row * G4;
    const rr = <usize>row * H4;
    let j = 0;
    const ub = u + <usize>b * H4;
    const dz = dGrz + <usize>b * (H4 << 1);
    const dP = dhPart + <usize>b * H4;
    for (; j + 4 <= H; j += 4) gruBwdBefore2At(<usize>j << 2, H4, ub, gates + rg, hPrev + rr, dG + rg, dX + rg, dz, dP, rh + rr, true);
    for (; j < H; j++) gruBwdBefore2At(<usize>j << 2, H4, ub, gates + rg, hPrev + rr, dG + rg, dX + rg, dz, dP, rh + rr, false);
  }
}

// ---------------------------------------------------------------- optimiser

/**
 * One Adam step over n floats, in place: m ← b1·m + c1·g, v ← b2·v + c2·g², g ← (m/bc1)/(√v/bc2 + eps).
 * Every product and sum is rounded separately (no fused multiply-add even in the relaxed build), so
 * the result has the bits of the composite f32 ops.
 */
export function adamStep(n: i32, g: usize, m: usize, v: usize, bc1: f32, bc2: f32, b1: f32, c1: f32, b2: f32, c2: f32, eps: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), splat(b1)), f32x4.mul(gv, splat(c1)));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), splat(b2)), f32x4.mul(f32x4.mul(gv, gv), splat(c2)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(g + o, f32x4.div(f32x4.div(mi, splat(bc1)), f32x4.add(f32x4.div(f32x4.sqrt(vi), splat(bc2)), splat(eps))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = load<f32>(m + o) * b1 + gi * c1;
    const vi = load<f32>(v + o) * b2 + gi * gi * c2;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(g + o, mi / bc1 / (sqrt<f32>(vi) / bc2 + eps));
  }
}

// ---------------------------------------------------------------- softmax cross-entropy

/**
 * For N rows of V floats: m[n] = max_v x[n, v] and s[n] = Σ_v exp(x[n, v] − m[n]), in vector lanes.
 * The caller takes log Σ exp = m + log s (the library's log would bring a lookup table in static
 * memory, and the JS side owns all of memory).
 */
export function rowMaxSumExp(N: i32, V: i32, x: usize, mOut: usize, sOut: usize): void {
  const V4 = V & ~3;
  for (let n = 0; n < N; n++) {
    const row = x + (<usize>n * V << 2);
    let mv = f32x4.splat(-Infinity);
    let v = 0;
    for (; v < V4; v += 4) mv = f32x4.max(mv, v128.load(row + (<usize>v << 2)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; v < V; v++) m = max(m, load<f32>(row + (<usize>v << 2)));
    const ms = splat(m);
    let sv = f32x4.splat(0);
    for (v = 0; v < V4; v += 4) sv = f32x4.add(sv, vexp(f32x4.sub(v128.load(row + (<usize>v << 2)), ms)));
    let s = f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1) + f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3);
    for (; v < V; v++) s += f32x4.extract_lane(vexp(splat(load<f32>(row + (<usize>v << 2)) - m)), 0);
    store<f32>(mOut + (<usize>n << 2), m);
    store<f32>(sOut + (<usize>n << 2), s);
  }
}

/** dx[n, v] = g[n]·exp(x[n, v] − lse[n]): the softmax part of the cross-entropy gradient (the caller subtracts g[n] at the target). */
export function softmaxGrad(N: i32, V: i32, x: usize, lse: usize, g: usize, dx: usize): void {
  const V4 = V & ~3;
  for (let n = 0; n < N; n++) {
    const o = <usize>n * V << 2;
    const l = splat(load<f32>(lse + (<usize>n << 2)));
    const gn = splat(load<f32>(g + (<usize>n << 2)));
    let v = 0;
    for (; v < V4; v += 4) {
      const p = o + (<usize>v << 2);
      v128.store(dx + p, f32x4.mul(gn, vexp(f32x4.sub(v128.load(x + p), l))));
    }
    for (; v < V; v++) {
      const p = o + (<usize>v << 2);
      store<f32>(dx + p, f32x4.extract_lane(f32x4.mul(gn, vexp(f32x4.sub(splat(load<f32>(x + p)), l))), 0));
    }
  }
}
