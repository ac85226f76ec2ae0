import { allocate } from '@rnnkit/tensor';
import type { TypedArray, View } from '@rnnkit/tensor';
import type { CpuHandle } from './handle.js';
import { sizeOfRange, toFloat64 } from './internal/strided.js';

/**
 * Batched a[..., M, K] · b[..., K, N]. Both inputs are first copied to contiguous f64 so the
 * inner loop is a plain i-k-j sweep (unit stride on b and on the output row); sums are kept in
 * JS numbers and rounded once when stored, so f32 results are the correctly rounded f64 sums.
 */
export function matmul(a: View<CpuHandle>, b: View<CpuHandle>): TypedArray {
  const rank = a.shape.length;
  const M = a.shape[rank - 2]!;
  const K = a.shape[rank - 1]!;
  const N = b.shape[rank - 1]!;
  const batch = sizeOfRange(a.shape, 0, rank - 2);
  const A = toFloat64(a);
  const B = toFloat64(b);
  const out = allocate(a.dtype, batch * M * N);
  const row = new Float64Array(N);
  for (let p = 0; p < batch; p++) {
    const aBase = p * M * K;
    const bBase = p * K * N;
    for (let i = 0; i < M; i++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const aik = A[aBase + i * K + k]!;
        const bRow = bBase + k * N;
        for (let j = 0; j < N; j++) row[j]! += aik * B[bRow + j]!;
      }
      out.set(row, p * M * N + i * N);
    }
  }
  return out;
}
