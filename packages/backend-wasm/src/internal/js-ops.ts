import type { JsEngine } from './engine.js';
import type { Ops } from './ops.js';

/** Logistic function that never overflows: exp only of a non-positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * The JS twin of assembly/kernels.ts: same ABI, same algorithm, scalar loops with Math.exp and
 * Math.tanh. Used where WebAssembly SIMD is missing (or `simd: 'none'`), and for every f64 kernel.
 */
export function createJsOps(e: JsEngine): Ops {
  const eb = e.elementBytes;
  const fi = (p: number): number => p / eb;
  const ii = (p: number): number => p >> 2;

  const ops: Ops = {
    packedLength(K, N) {
      return Math.ceil(N / 8) * 8 * K;
    },

    packB(src, sk, sn, K, N, dst) {
      const F = e.f();
      const s = fi(src);
      const panels = (N + 7) >> 3;
      for (let p = 0; p < panels; p++) {
        const base = fi(dst) + p * K * 8;
        for (let k = 0; k < K; k++) {
          for (let j = 0; j < 8; j++) {
            const n = p * 8 + j;
            F[base + k * 8 + j] = n < N ? F[s + k * sk + n * sn]! : 0;
          }
        }
      }
    },

    gemm(M, N, K, a, sai, sak, bp, c, ldc, accumulate) {
      const F = e.f();
      const A = fi(a);
      const C = fi(c);
      const panels = (N + 7) >> 3;
      const acc = new Float64Array(8);
      for (let i = 0; i < M; i++) {
        for (let p = 0; p < panels; p++) {
          acc.fill(0);
          let pb = fi(bp) + p * K * 8;
          let pa = A + i * sai;
          for (let k = 0; k < K; k++, pa += sak, pb += 8) {
            const av = F[pa]!;
            for (let j = 0; j < 8; j++) acc[j]! += av * F[pb + j]!;
          }
          const cols = Math.min(8, N - p * 8);
          const pc = C + i * ldc + p * 8;
          for (let j = 0; j < cols; j++) F[pc + j] = accumulate ? F[pc + j]! + acc[j]! : acc[j]!;
        }
      }
    },

    gemmBias(M, N, K, a, sai, sak, bp, c, ldc, bias) {
      ops.gemm(M, N, K, a, sai, sak, bp, c, ldc, 0);
      // The product is stored (rounded) first, then the bias added: a matmul then an add.
      const F = e.f();
      const C = fi(c);
      const b = fi(bias);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) F[C + i * ldc + j]! += F[b + j]!;
    },

    copy2D(src, s0, s1, Rn, Cn, dst, ldd) {
      const F = e.f();
      const s = fi(src);
      const d = fi(dst);
      for (let r = 0; r < Rn; r++) for (let c = 0; c < Cn; c++) F[d + r * ldd + c] = F[s + r * s0 + c * s1]!;
    },

    mergeRows(B, H, rows, src, dst) {
      const F = e.f();
      const R = e.i32();
      for (let b = 0; b < B; b++) {
        if (R[ii(rows) + b]! < 0) continue;
        F.copyWithin(fi(dst) + b * H, fi(src) + b * H, fi(src) + (b + 1) * H);
      }
    },

    colSum(Rn, Cn, src, dst) {
      const F = e.f();
      const acc = new Float64Array(Cn);
      const s = fi(src);
      for (let r = 0; r < Rn; r++) for (let c = 0; c < Cn; c++) acc[c]! += F[s + r * Cn + c]!;
      F.set(acc, fi(dst));
    },

    rnnFwdStep(B, H, P, X, bias, rows, h, hPrev, hs, relu) {
      const F = e.f();
      const R = e.i32();
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        for (let j = 0; j < H; j++) {
          const a = F[fi(X) + row * H + j]! + F[fi(P) + b * H + j]! + F[fi(bias) + j]!;
          const y = relu ? Math.max(a, 0) : Math.tanh(a);
          if (hPrev !== 0) F[fi(hPrev) + row * H + j] = F[fi(h) + b * H + j]!;
          F[fi(h) + b * H + j] = y;
          F[fi(hs) + row * H + j] = y;
        }
      }
    },

    rnnBwdStep(B, H, rows, dhsIn, dh, hNew, dG, dGstep, dhsOut, relu) {
      const F = e.f();
      const R = e.i32();
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        for (let j = 0; j < H; j++) {
          const d = F[fi(dh) + b * H + j]! + (dhsIn ? F[fi(dhsIn) + row * H + j]! : 0);
          if (dhsOut) F[fi(dhsOut) + row * H + j] = d;
          const y = F[fi(hNew) + row * H + j]!;
          const g = d * (relu ? (y > 0 ? 1 : 0) : 1 - y * y);
          F[fi(dG) + row * H + j] = g;
          F[fi(dGstep) + b * H + j] = g;
        }
      }
    },

    lstmFwdStep(B, H, P, X, bias, rows, h, c, gates, hPrev, cPrev, cs, hs) {
      const F = e.f();
      const R = e.i32();
      const GH = 4 * H;
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        const x = fi(X) + row * GH;
        const p = fi(P) + b * GH;
        const bi = fi(bias);
        const g = fi(gates) + row * GH;
        const save = gates !== 0;
        for (let j = 0; j < H; j++) {
          const at = (k: number): number => F[x + k * H + j]! + F[p + k * H + j]! + F[bi + k * H + j]!;
          const iv = sigmoid(at(0));
          const fv = sigmoid(at(1));
          const gv = Math.tanh(at(2));
          const ov = sigmoid(at(3));
          const hv = F[fi(h) + b * H + j]!;
          const cv = F[fi(c) + b * H + j]!;
          if (save) {
            F[g + j] = iv;
            F[g + H + j] = fv;
            F[g + 2 * H + j] = gv;
            F[g + 3 * H + j] = ov;
            F[fi(hPrev) + row * H + j] = hv;
            F[fi(cPrev) + row * H + j] = cv;
          }
          const cn = fv * cv + iv * gv;
          F[fi(c) + b * H + j] = cn;
          const hn = ov * Math.tanh(F[fi(c) + b * H + j]!);
          F[fi(h) + b * H + j] = hn;
          if (save) F[fi(cs) + row * H + j] = cn;
          F[fi(hs) + row * H + j] = hn;
        }
      }
    },

    lstmBwdStep(B, H, rows, dhsIn, dh, dc, gates, cPrev, cs, dG, dGstep, dhsOut, dcsOut) {
      const F = e.f();
      const R = e.i32();
      const GH = 4 * H;
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        const g = fi(gates) + row * GH;
        for (let j = 0; j < H; j++) {
          const dhv = F[fi(dh) + b * H + j]! + (dhsIn ? F[fi(dhsIn) + row * H + j]! : 0);
          const dcv = F[fi(dc) + b * H + j]!;
          if (dhsOut) F[fi(dhsOut) + row * H + j] = dhv;
          if (dcsOut) F[fi(dcsOut) + row * H + j] = dcv;
          const iv = F[g + j]!;
          const fv = F[g + H + j]!;
          const gv = F[g + 2 * H + j]!;
          const ov = F[g + 3 * H + j]!;
          const tc = Math.tanh(F[fi(cs) + row * H + j]!);
          const dcT = dcv + dhv * ov * (1 - tc * tc);
          const d = [dcT * gv * iv * (1 - iv), dcT * F[fi(cPrev) + row * H + j]! * fv * (1 - fv), dcT * iv * (1 - gv * gv), dhv * tc * ov * (1 - ov)];
          for (let k = 0; k < 4; k++) {
            F[fi(dG) + row * GH + k * H + j] = d[k]!;
            F[fi(dGstep) + b * GH + k * H + j] = d[k]!;
          }
          F[fi(dc) + b * H + j] = dcT * fv;
        }
      }
    },

    gruFwdStepAfter(B, H, P, X, bias, rows, h, gates, hPrev, hn, hs) {
      const F = e.f();
      const R = e.i32();
      const GH = 3 * H;
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        const x = fi(X) + row * GH;
        const p = fi(P) + b * GH;
        const bi = fi(bias);
        const g = fi(gates) + row * GH;
        for (let j = 0; j < H; j++) {
          const r = sigmoid(F[x + j]! + F[p + j]! + F[bi + j]!);
          const z = sigmoid(F[x + H + j]! + F[p + H + j]! + F[bi + H + j]!);
          const a = F[p + 2 * H + j]! + F[bi + 2 * H + j]!;
          const n = Math.tanh(F[x + 2 * H + j]! + r * a);
          const hv = F[fi(h) + b * H + j]!;
          if (gates !== 0) {
            F[g + j] = r;
            F[g + H + j] = z;
            F[g + 2 * H + j] = n;
            F[fi(hn) + row * H + j] = a;
            F[fi(hPrev) + row * H + j] = hv;
          }
          const y = (1 - z) * n + z * hv;
          F[fi(h) + b * H + j] = y;
          F[fi(hs) + row * H + j] = y;
        }
      }
    },

    gruFwdStepBefore1(B, H, Prz, X, bias, rows, h, gates, hPrev, rh) {
      const F = e.f();
      const R = e.i32();
      const GH = 3 * H;
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        const x = fi(X) + row * GH;
        const p = fi(Prz) + b * 2 * H;
        const bi = fi(bias);
        const g = fi(gates) + row * GH;
        for (let j = 0; j < H; j++) {
          const r = sigmoid(F[x + j]! + F[p + j]! + F[bi + j]!);
          const z = sigmoid(F[x + H + j]! + F[p + H + j]! + F[bi + H + j]!);
          const hv = F[fi(h) + b * H + j]!;
          F[g + j] = r;
          F[g + H + j] = z;
          F[fi(hPrev) + row * H + j] = hv;
          F[fi(rh) + b * H + j] = r * hv;
        }
      }
    },

    gruFwdStepBefore2(B, H, Pn, X, bias, rows, h, gates, hs) {
      const F = e.f();
      const R = e.i32();
      const GH = 3 * H;
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        const g = fi(gates) + row * GH;
        for (let j = 0; j < H; j++) {
          const n = Math.tanh(F[fi(X) + row * GH + 2 * H + j]! + F[fi(Pn) + b * H + j]! + F[fi(bias) + 2 * H + j]!);
          const z = F[g + H + j]!;
          const hv = F[fi(h) + b * H + j]!;
          F[g + 2 * H + j] = n;
          const y = (1 - z) * n + z * hv;
          F[fi(h) + b * H + j] = y;
          F[fi(hs) + row * H + j] = y;
        }
      }
    },

    gruBwdStepAfter(B, H, rows, dhsIn, dh, gates, hPrev, hn, dG, dX, dGstep, dhPart, dhsOut) {
      const F = e.f();
      const R = e.i32();
      const GH = 3 * H;
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        const g = fi(gates) + row * GH;
        for (let j = 0; j < H; j++) {
          const d = F[fi(dh) + b * H + j]! + (dhsIn ? F[fi(dhsIn) + row * H + j]! : 0);
          if (dhsOut) F[fi(dhsOut) + row * H + j] = d;
          const r = F[g + j]!;
          const z = F[g + H + j]!;
          const n = F[g + 2 * H + j]!;
          const dn = d * (1 - z) * (1 - n * n);
          const dz = d * (F[fi(hPrev) + row * H + j]! - n) * z * (1 - z);
          const dr = dn * F[fi(hn) + row * H + j]! * r * (1 - r);
          const o = row * GH + j;
          const s = b * GH + j;
          F[fi(dG) + o] = dr; F[fi(dX) + o] = dr; F[fi(dGstep) + s] = dr;
          F[fi(dG) + o + H] = dz; F[fi(dX) + o + H] = dz; F[fi(dGstep) + s + H] = dz;
          F[fi(dG) + o + 2 * H] = dn * r; F[fi(dX) + o + 2 * H] = dn; F[fi(dGstep) + s + 2 * H] = dn * r;
          F[fi(dhPart) + b * H + j] = d * z;
        }
      }
    },

    gruBwdStepBefore1(B, H, rows, dhsIn, dh, gates, hPrev, dG, dX, dGn, dhPart, dhsOut) {
      const F = e.f();
      const R = e.i32();
      const GH = 3 * H;
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        const g = fi(gates) + row * GH;
        for (let j = 0; j < H; j++) {
          const d = F[fi(dh) + b * H + j]! + (dhsIn ? F[fi(dhsIn) + row * H + j]! : 0);
          if (dhsOut) F[fi(dhsOut) + row * H + j] = d;
          const z = F[g + H + j]!;
          const n = F[g + 2 * H + j]!;
          const dn = d * (1 - z) * (1 - n * n);
          const dz = d * (F[fi(hPrev) + row * H + j]! - n) * z * (1 - z);
          const o = row * GH + j;
          F[fi(dG) + o + H] = dz; F[fi(dX) + o + H] = dz;
          F[fi(dG) + o + 2 * H] = dn; F[fi(dX) + o + 2 * H] = dn;
          F[fi(dGn) + b * H + j] = dn;
          F[fi(dhPart) + b * H + j] = d * z;
        }
      }
    },

    gruBwdStepBefore2(B, H, rows, u, gates, hPrev, dG, dX, dGrz, dhPart, rh) {
      const F = e.f();
      const R = e.i32();
      const GH = 3 * H;
      for (let b = 0; b < B; b++) {
        const row = R[ii(rows) + b]!;
        if (row < 0) continue;
        const g = fi(gates) + row * GH;
        for (let j = 0; j < H; j++) {
          const uv = F[fi(u) + b * H + j]!;
          const r = F[g + j]!;
          const hp = F[fi(hPrev) + row * H + j]!;
          const dr = uv * hp * r * (1 - r);
          const o = row * GH + j;
          F[fi(dG) + o] = dr; F[fi(dX) + o] = dr;
          F[fi(dGrz) + b * 2 * H + j] = dr;
          F[fi(dGrz) + b * 2 * H + H + j] = F[fi(dG) + o + H]!;
          F[fi(dhPart) + b * H + j]! += uv * r;
          F[fi(rh) + row * H + j] = r * hp;
        }
      }
    },

    adamStep(n, g, m, v, bc1, bc2, b1, c1, b2, c2, eps) {
      const F = e.f();
      // Round each step where the f32 kernel (and the composite ops) round it.
      const r = e.elementBytes === 4 ? Math.fround : (x: number) => x;
      const [G, M, V] = [fi(g), fi(m), fi(v)];
      for (let i = 0; i < n; i++) {
        const gi = F[G + i]!;
        const mi = r(r(F[M + i]! * b1) + r(gi * c1));
        const vi = r(r(F[V + i]! * b2) + r(r(gi * gi) * c2));
        F[M + i] = mi;
        F[V + i] = vi;
        F[G + i] = r(mi / bc1) / r(r(r(Math.sqrt(vi)) / bc2) + eps);
      }
    },

    rowMaxSumExp(N, V, x, mOut, sOut) {
      const F = e.f();
      for (let n = 0, r = fi(x); n < N; n++, r += V) {
        let m = -Infinity;
        for (let v = 0; v < V; v++) m = Math.max(m, F[r + v]!);
        let s = 0;
        for (let v = 0; v < V; v++) s += Math.exp(F[r + v]! - m);
        F[fi(mOut) + n] = m;
        F[fi(sOut) + n] = s;
      }
    },

    softmaxGrad(N, V, x, lse, g, dx) {
      const F = e.f();
      for (let n = 0, r = 0; n < N; n++, r += V) {
        const l = F[fi(lse) + n]!;
        const gn = F[fi(g) + n]!;
        for (let v = 0; v < V; v++) F[fi(dx) + r + v] = gn * Math.exp(F[fi(x) + r + v]! - l);
      }
    },
  };
  return ops;
}
