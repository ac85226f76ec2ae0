import { add, expand, fail, fmtShape, matmul, reshape, scope, sum, Tensor, transpose, type FusedKernels } from '@rnnkit/tensor';
import { customVjp } from './custom.js';

/**
 * x·weightᵀ + bias over the last axis of x: x [..., I], weight [O, I] (PyTorch's layout), bias [O]
 * (or none) → [..., O], as one matrix product over all leading axes. This is a linear layer and a
 * recurrent cell's input projection. On a backend with the fused `matmulBias` kernel the bias is
 * added as the product is stored, instead of in a second pass over the whole result; the values
 * are the same either way. Differentiable in both modes, to any order.
 */
export function affine(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const [O, I] = weight.shape as [number, number];
  if (weight.rank !== 2 || x.rank === 0 || x.shape[x.rank - 1] !== I) {
    fail(`affine: x ${fmtShape(x.shape)} and weight ${fmtShape(weight.shape)} do not fit; pass x: [..., I] and weight: [O, I].`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== O)) fail(`affine: bias ${fmtShape(bias.shape)} must be [${O}] for weight ${fmtShape(weight.shape)}.`);
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((n, d) => n * d, 1);
  const fused = x.backend.fused;
  return scope(() => {
    const x2 = reshape(x, [rows, I]);
    const wt = transpose(weight);
    const y2 = !bias ? matmul(x2, wt) : fused?.matmulBias ? fusedMatmulBias(fused, x2, wt, bias) : add(matmul(x2, wt), bias);
    return reshape(y2, [...lead, O]);
  });
}

/** a·b + bias through the backend's kernel, with the composite's derivatives. */
function fusedMatmulBias(kernels: FusedKernels, a: Tensor, b: Tensor, bias: Tensor): Tensor {
  const [M, N] = [a.shape[0]!, b.shape[1]!];
  const run = customVjp(
    'matmulBias',
    (x, w, c) => {
      const h = kernels.matmulBias!({ a: x.view('affine'), b: w.view('affine'), bias: c.view('affine') });
      return { outputs: Tensor.fromHandle(a.backend, h, [M, N], a.dtype) };
    },
    {
      // Only the cotangents asked for: the input of a projection is data, and its GEMM is skipped.
      vjp: ([g], _residuals, [x, w], needs) => {
        if (!g) return [null, null, null];
        return [
          needs[0] === false ? null : matmul(g, transpose(w!)),
          needs[1] === false ? null : matmul(transpose(x!), g),
          needs[2] === false ? null : sum(g, 0),
        ];
      },
      jvp: ([dx, dw, dc], _residuals, [x, w]) => {
        const products = [dx ? matmul(dx, w!) : null, dw ? matmul(x!, dw) : null].filter((t): t is Tensor => t !== null);
        let out = products.length === 2 ? add(products[0]!, products[1]!) : products[0];
        if (dc) out = out ? add(out, dc) : expand(reshape(dc, [1, N]), [M, N]);
        return [out ?? null];
      },
    },
  );
  return run(a, b, bias)[0]!;
}
