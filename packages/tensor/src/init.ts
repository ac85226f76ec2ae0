import type { Backend } from './backend.js';
import { toTypedArray, type DType } from './dtype.js';
import { fail, fmtShape } from './errors.js';
import { tensor } from './ops/create.js';
import type { Rng } from './rng.js';
import { sizeOf, type Shape } from './shape.js';
import type { Tensor } from './tensor.js';

export interface InitOptions {
  readonly dtype?: DType;
}

function upload(backend: Backend, values: Float64Array, shape: Shape, dtype: DType = 'f32'): Tensor {
  return tensor(backend, toTypedArray(dtype, values), shape, dtype);
}

/** Uniform in [low, high) — PyTorch's RNN default is U(−1/√H, 1/√H). */
export function uniform(rng: Rng, backend: Backend, shape: Shape, low = 0, high = 1, options: InitOptions = {}): Tensor {
  return upload(backend, rng.uniformArray(sizeOf(shape), low, high), shape, options.dtype);
}

export function normal(rng: Rng, backend: Backend, shape: Shape, mean = 0, std = 1, options: InitOptions = {}): Tensor {
  return upload(backend, rng.normalArray(sizeOf(shape), mean, std), shape, options.dtype);
}

/**
 * A (semi-)orthogonal matrix as in Saxe et al. and torch.nn.init.orthogonal_: rows = shape[0],
 * columns = the rest flattened; QR of a Gaussian matrix with the signs of R's diagonal folded in.
 */
export function orthogonal(rng: Rng, backend: Backend, shape: Shape, gain = 1, options: InitOptions = {}): Tensor {
  if (shape.length < 2) fail(`orthogonal: needs at least 2 axes, got ${fmtShape(shape)}.`);
  const rows = shape[0]!;
  const cols = sizeOf(shape) / rows;
  const tall = rows >= cols;
  const [m, n] = tall ? [rows, cols] : [cols, rows];
  const a = rng.normalArray(m * n); // m × n, column j at a[i*n + j]
  const q = gramSchmidt(a, m, n);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const v = gain * q[i * n + j]!;
      if (tall) out[i * n + j] = v;
      else out[j * m + i] = v;
    }
  return upload(backend, out, shape, options.dtype);
}

// Modified Gram–Schmidt on the columns of an m × n (m ≥ n) matrix; equals Q of QR with sign(diag R) > 0.
function gramSchmidt(a: Float64Array, m: number, n: number): Float64Array {
  const q = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[i * n + k]! * q[i * n + j]!;
      for (let i = 0; i < m; i++) q[i * n + j]! -= dot * q[i * n + k]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[i * n + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < m; i++) q[i * n + j]! /= norm;
  }
  return q;
}
