import { fail, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { broadcastView, emit, NO_ATTRS, requireFloat, requireSameDType } from '../internal/emit.js';
import { sameBackend, type Tensor } from '../tensor.js';
import { reshape } from './view.js';

/**
 * Matrix product with NumPy semantics: a [..., M, K] @ b [..., K, N] → [..., M, N], batch axes
 * broadcast. 1-D operands are treated as a row (a) or column (b) vector and that axis is dropped.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const be = sameBackend('matmul', a, b);
  requireSameDType('matmul', a, b);
  requireFloat('matmul', a);
  if (a.rank === 0 || b.rank === 0) fail(`matmul: operands must have at least 1 axis, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}; use mul for scalars.`);
  if (a.rank === 1 || b.rank === 1) return matmulVector(a, b);
  if (b.rank === 2 && a.rank > 2) return matmulFolded(a, b);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) fail(`matmul: inner sizes differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${k} vs ${k2}).`);
  const batch = broadcastShapes('matmul (batch axes)', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const h = be.kernels.matmul(broadcastView('matmul', a, [...batch, m, k]), broadcastView('matmul', b, [...batch, k, n]));
  return emit('matmul', [a, b], h, [...batch, m, n], a.dtype, NO_ATTRS);
}

function matmulVector(a: Tensor, b: Tensor): Tensor {
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  try {
    const out = matmul(a2, b2);
    const shape = out.shape.filter((_, i) => !((a.rank === 1 && i === out.rank - 2) || (b.rank === 1 && i === out.rank - 1)));
    try {
      return reshape(out, shape);
    } finally {
      out.dispose();
    }
  } finally {
    if (a2 !== a) a2.dispose();
    if (b2 !== b) b2.dispose();
  }
}

// [..., M, K] @ [K, N] is one [(…·M), K] @ [K, N] GEMM: one big product instead of a batch of
// small ones, and its weight gradient (aᵀ·g) is then one GEMM too, not a batch summed afterwards.
function matmulFolded(a: Tensor, b: Tensor): Tensor {
  const k = a.shape[a.rank - 1]!;
  if (b.shape[0] !== k) fail(`matmul: inner sizes differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${k} vs ${b.shape[0]}).`);
  const flat = reshape(a, [-1, k]);
  const out = matmul(flat, b);
  try {
    return reshape(out, [...a.shape.slice(0, -1), b.shape[1]!]);
  } finally {
    flat.dispose();
    out.dispose();
  }
}
