/**
 * The kernel ABI shared by the WebAssembly module (assembly/kernels.ts) and its JS twin
 * (js-ops.ts): pointers are byte offsets into one scratch memory, sizes are element counts, and a
 * pointer of 0 means "absent". The orchestration in ../fused.ts and ../matmul.ts is written once
 * against this interface, so the JS fallback runs exactly the same algorithm.
 */
export interface Ops {
  /** Floats packB writes for a K×N matrix (whole panels, whose width is the kernel's); K = 1: a bias padded for gemmBias. */
  packedLength(K: number, N: number): number;
  packB(src: number, sk: number, sn: number, K: number, N: number, dst: number): void;
  gemm(M: number, N: number, K: number, a: number, sai: number, sak: number, bp: number, c: number, ldc: number, accumulate: number): void;
  /** C = A·B + bias (bias: packedLength(1, N) floats, zero past N). */
  gemmBias(M: number, N: number, K: number, a: number, sai: number, sak: number, bp: number, c: number, ldc: number, bias: number): void;
  copy2D(src: number, s0: number, s1: number, R: number, C: number, dst: number, ldd: number): void;
  mergeRows(B: number, H: number, rows: number, src: number, dst: number): void;
  colSum(R: number, C: number, src: number, dst: number): void;
  rnnFwdStep(B: number, H: number, P: number, X: number, bias: number, rows: number, h: number, hPrev: number, hs: number, relu: number): void;
  rnnBwdStep(B: number, H: number, rows: number, dhsIn: number, dh: number, hNew: number, dG: number, dGstep: number, dhsOut: number, relu: number): void;
  lstmFwdStep(B: number, H: number, P: number, X: number, bias: number, rows: number, h: number, c: number,
    gates: number, hPrev: number, cPrev: number, cs: number, hs: number): void;
  lstmBwdStep(B: number, H: number, rows: number, dhsIn: number, dh: number, dc: number, gates: number, cPrev: number, cs: number,
    dG: number, dGstep: number, dhsOut: number, dcsOut: number): void;
  gruFwdStepAfter(B: number, H: number, P: number, X: number, bias: number, rows: number, h: number, gates: number, hPrev: number, hn: number, hs: number): void;
  gruFwdStepBefore1(B: number, H: number, Prz: number, X: number, bias: number, rows: number, h: number, gates: number, hPrev: number, rh: number): void;
  gruFwdStepBefore2(B: number, H: number, Pn: number, X: number, bias: number, rows: number, h: number, gates: number, hs: number): void;
  gruBwdStepAfter(B: number, H: number, rows: number, dhsIn: number, dh: number, gates: number, hPrev: number, hn: number,
    dG: number, dX: number, dGstep: number, dhPart: number, dhsOut: number): void;
  gruBwdStepBefore1(B: number, H: number, rows: number, dhsIn: number, dh: number, gates: number, hPrev: number,
    dG: number, dX: number, dGn: number, dhPart: number, dhsOut: number): void;
  gruBwdStepBefore2(B: number, H: number, rows: number, u: number, gates: number, hPrev: number, dG: number, dX: number, dGrz: number, dhPart: number, rh: number): void;
  /** In place: m ← moment 1, v ← moment 2, g ← the update direction (see assembly/kernels.ts). */
  rowMaxSumExp(N: number, V: number, x: number, mOut: number, sOut: number): void;
  softmaxGrad(N: number, V: number, x: number, lse: number, g: number, dx: number): void;
  adamStep(n: number, g: number, m: number, v: number, bc1: number, bc2: number, b1: number, c1: number, b2: number, c2: number, eps: number): void;
}

export const OP_NAMES: readonly (keyof Ops)[] = [
  'packedLength', 'packB', 'gemm', 'gemmBias', 'copy2D', 'mergeRows', 'colSum', 'rnnFwdStep', 'rnnBwdStep', 'lstmFwdStep', 'lstmBwdStep', 'gruFwdStepAfter',
  'gruFwdStepBefore1', 'gruFwdStepBefore2', 'gruBwdStepAfter', 'gruBwdStepBefore1', 'gruBwdStepBefore2', 'adamStep', 'rowMaxSumExp', 'softmaxGrad',
];
