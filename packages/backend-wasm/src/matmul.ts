import type { TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import type { Engine } from './internal/engine.js';
import type { Resident } from './internal/resident.js';
import { placeReadOnly } from './internal/place.js';
import { copyInto, sizeOfRange } from './internal/strided.js';

/**
 * Places a 2-D view in scratch memory and says how to address it: element (r, c) at
 * ptr + (r·s0 + c·s1) elements. A transposed or row-sliced view whose storage span is small is
 * copied as it lies (so NT and TN products need no transposition pass); anything else is gathered
 * into a contiguous block first.
 */
function place2D(e: Engine, view: View<WasmHandle>): { ptr: number; s0: number; s1: number } {
  const [R, C] = view.shape as [number, number];
  const [s0, s1] = view.strides as [number, number];
  const size = R * C;
  if (s0 >= 0 && s1 >= 0 && size > 0) {
    // Still in engine memory from the call that made it: read it where it is.
    const kept = e.residentPtr(view.handle, view.offset);
    if (kept !== undefined) return { ptr: kept, s0, s1 };
    const span = (R - 1) * s0 + (C - 1) * s1 + 1;
    if (span <= size + size / 2 + 16) {
      const ptr = e.alloc(span);
      e.f().set(view.handle.data.subarray(view.offset, view.offset + span), e.at(ptr));
      return { ptr, s0, s1 };
    }
  }
  const ptr = e.alloc(size);
  copyInto(view, e.f(), e.at(ptr));
  return { ptr, s0: C, s1: 1 };
}

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

/** A rank-2 right operand b [K, N] (any strides) packed into the GEMM's panels. */
function packedB(e: Engine, b: View<WasmHandle>): number {
  const [K, N] = b.shape as [number, number];
  const B = place2D(e, b);
  return e.packed(B.ptr, B.s0, B.s1, K, N);
}

/** Batched a[..., M, K] · b[..., K, N] on the engine's GEMM (B packed into panels per call). */
export function matmul(e: Engine, a: View<WasmHandle>, b: View<WasmHandle>): TypedArray | Resident {
  const rank = a.shape.length;
  const M = a.shape[rank - 2]!;
  const K = a.shape[rank - 1]!;
  const N = b.shape[rank - 1]!;
  const batch = sizeOfRange(a.shape, 0, rank - 2);
  // A large product is computed where the next call can read it in place (Engine.withResult).
  return e.withResult(batch * M * N, (c) => {
    // A batch that only broadcasts b (x[T, B, I] @ Wᵀ): one GEMM over batch·M rows, B packed once.
    const bBroadcast = rank > 2 && b.strides.slice(0, rank - 2).every((st) => st === 0);
    if (bBroadcast) {
      const A = placeReadOnly(e, a);
      const bp = packedB(e, { ...b, shape: [K, N], strides: b.strides.slice(rank - 2), offset: b.offset });
      e.ops.gemm(batch * M, N, K, A, K, 1, bp, c, N, 0);
    } else if (rank === 2) {
      const A = placeRowsA(e, a);
      e.ops.gemm(M, N, K, A.ptr, A.s0, A.s1, packedB(e, b), c, N, 0);
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
  return e.withResult(M * N, (c) => {
    const A = placeRowsA(e, a);
    const bp = packedB(e, b);
    // Padded with zeros to whole panels: the kernel reads the bias a panel at a time.
    const biasPtr = e.zeros(e.ops.packedLength(1, N));
    copyInto(bias, e.f(), e.at(biasPtr));
    e.ops.gemmBias(M, N, K, A.ptr, A.s0, A.s1, bp, c, N, biasPtr);
    return e.takeResult(c, M * N);
  });
}
