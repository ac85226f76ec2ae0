import type { TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import type { Engine } from './internal/engine.js';
import type { Resident } from './internal/resident.js';
import { panelsOf } from './internal/panels.js';
import { place2D, placeReadOnly } from './internal/place.js';
import { copyInto, sizeOfRange } from './internal/strided.js';

/** A rank-2 left operand placed for the micro-kernel, which reads A along rows. */
function placeRowsA(e: Engine, a: View<WasmHandle>): { ptr: number; s0: number; s1: number } {
  const [M, K] = a.shape as [number, number];
  const A = place2D(e, a);
  if (A.s0 >= A.s1 || M <= 1 || K <= 1) return A;
  // A transposed (TN): made row-major first.
  const rowMajor = e.alloc(M * K);
  e.ops.copy2D(A.ptr, A.s0, A.s1, M, K, rowMajor, K);
  return { ptr: rowMajor, s0: K, s1: 1 };
}

/** Batched a[..., M, K] · b[..., K, N] on the engine's GEMM (B packed into panels per call, or kept ones). */
export function matmul(e: Engine, a: View<WasmHandle>, b: View<WasmHandle>): TypedArray | Resident {
  const rank = a.shape.length;
  const M = a.shape[rank - 2]!;
  const K = a.shape[rank - 1]!;
  const N = b.shape[rank - 1]!;
  const batch = sizeOfRange(a.shape, 0, rank - 2);
  // A batch that only broadcasts b (x[T, B, I] @ Wᵀ): one GEMM over batch·M rows, B packed once.
  const bBroadcast = rank > 2 && b.strides.slice(0, rank - 2).every((st) => st === 0);
  // A weight's panels, kept when it was packed before (see PanelCache).
  const b2 = bBroadcast ? { ...b, shape: [K, N], strides: b.strides.slice(rank - 2) } : rank === 2 ? b : undefined;
  if (b2) e.panels.keep(b2);
  // A large product is computed where the next call can read it in place (Engine.withResult).
  return e.withResult(batch * M * N, (c) => {
    if (bBroadcast) {
      const A = placeReadOnly(e, a);
      e.ops.gemm(batch * M, N, K, A, K, 1, panelsOf(e, b2!), c, N, 0);
    } else if (rank === 2) {
      const A = placeRowsA(e, a);
      e.ops.gemm(M, N, K, A.ptr, A.s0, A.s1, panelsOf(e, b), c, N, 0);
    } else {
      const A = placeReadOnly(e, a);
      const Bc = placeReadOnly(e, b);
      const eb = e.elementBytes;
      // One set of panels, packed again for each batch's b.
      const bp = e.alloc(e.ops.packedLength(K, N));
      for (let p = 0; p < batch; p++) {
        e.ops.packB(Bc + p * K * N * eb, N, 1, K, N, bp);
        e.ops.gemm(M, N, K, A + p * M * K * eb, K, 1, bp, c + p * M * N * eb, N, 0);
      }
    }
    return e.takeResult(c, batch * M * N);
  });
}

/**
 * a[M, K]·b[K, N] + bias[N] in one GEMM: the bias is added to each tile as it is stored. The result
 * stays in engine memory for the next call (the input projection feeding a sequence kernel).
 */
export function matmulBias(e: Engine, a: View<WasmHandle>, b: View<WasmHandle>, bias: View<WasmHandle>): TypedArray | Resident {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  e.panels.keep(b);
  return e.withResult(M * N, (c) => {
    const A = placeRowsA(e, a);
    const bp = panelsOf(e, b);
    // Padded with zeros to whole panels: the kernel reads the bias a panel at a time.
    const biasPtr = e.zeros(e.ops.packedLength(1, N));
    copyInto(bias, e.f(), e.at(biasPtr));
    e.ops.gemmBias(M, N, K, A.ptr, A.s0, A.s1, bp, c, N, biasPtr);
    return e.takeResult(c, M * N);
  });
}
