import { describe, expect, it } from 'vitest';
import { add, createRng, exp, matmul, mean, mul, normal, sum, tanh, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { checkpoint, customVjp, grad, jvp, stopGradient, valueAndGrad, valueAndGradWithAux, vjp } from '@rnnkit/autograd';

const be = createCpuBackend();
const read = async (t: Tensor) => Array.from(await t.read());

describe('autograd features', () => {
  it('stopGradient blocks the gradient but keeps the value', async () => {
    using w = normal(createRng(0), be, [3], 0, 1, { dtype: 'f64' });
    const g = grad((p: { w: Tensor }) => sum(mul(p.w, stopGradient(p.w))))({ w });
    expect(await read(g.w)).toEqual(await read(w)); // d/dw (w·c) = c = w
    g.w.dispose();
  });

  it('customVjp uses the supplied backward', async () => {
    using x = normal(createRng(1), be, [4], 0, 1, { dtype: 'f64' });
    const doubledGrad = customVjp('exp2x', (t) => ({ outputs: exp(t) }), {
      vjp: ([g]) => [g ? mul(g, 2) : null], // deliberately not the true derivative
    });
    const g = grad((p: { x: Tensor }) => sum(doubledGrad(p.x)[0]!))({ x });
    expect(await read(g.x)).toEqual([2, 2, 2, 2]);
    g.x.dispose();
    expect(be.stats().liveHandles).toBe(1);
  });

  it('checkpoint gives the same value and gradient as the plain function', async () => {
    const rng = createRng(2);
    using w = normal(rng, be, [6, 6], 0, 0.5, { dtype: 'f64' });
    using x = normal(rng, be, [2, 6], 0, 1, { dtype: 'f64' });
    const block = (h: Tensor, u: Tensor) => tanh(matmul(tanh(matmul(h, u)), u));
    const plain = valueAndGrad((p: { w: Tensor }) => mean(block(x, p.w)))({ w });
    const ckpt = valueAndGrad((p: { w: Tensor }) => mean(checkpoint(block)(x, p.w)))({ w });
    expect(await read(ckpt.value)).toEqual(await read(plain.value));
    const a = await read(ckpt.grads.w);
    const b = await read(plain.grads.w);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 14));
    for (const t of [plain.value, plain.grads.w, ckpt.value, ckpt.grads.w]) t.dispose();
    expect(be.stats().liveHandles).toBe(2);
  });

  it('jvp matches the vjp transposed (⟨J v, u⟩ = ⟨v, Jᵀ u⟩)', async () => {
    const rng = createRng(3);
    using w = normal(rng, be, [4, 4], 0, 0.5, { dtype: 'f64' });
    using h = normal(rng, be, [1, 4], 0, 1, { dtype: 'f64' });
    using v = normal(rng, be, [1, 4], 0, 1, { dtype: 'f64' });
    using u = normal(rng, be, [1, 4], 0, 1, { dtype: 'f64' });
    const f = (s: Tensor) => tanh(matmul(s, w));
    const [out, jv] = jvp(f, [h], [v]);
    const pull = vjp(f, [h]);
    const [jtu] = pull.backward([u]);
    const uv = await read(u);
    const vv = await read(v);
    const left = (await read(jv)).reduce((s, x, i) => s + x * uv[i]!, 0);
    const right = (await read(jtu!)).reduce((s, x, i) => s + x * vv[i]!, 0);
    expect(left).toBeCloseTo(right, 12);
    for (const t of [out, jv, jtu!, ...pull.outputs]) t.dispose();
    expect(be.stats().liveHandles).toBe(4);
  });

  it('valueAndGradWithAux returns auxiliary outputs', async () => {
    using w = normal(createRng(4), be, [2], 0, 1, { dtype: 'f64' });
    const r = valueAndGradWithAux((p: { w: Tensor }) => {
      const h = tanh(p.w);
      return [sum(h), { h }] as const;
    })({ w });
    expect(await read(r.aux.h)).toEqual((await read(w)).map(Math.tanh));
    for (const t of [r.value, r.grads.w, r.aux.h]) t.dispose();
  });

  it('supports gradients of gradients', async () => {
    using x = normal(createRng(5), be, [3], 0, 1, { dtype: 'f64' });
    // d/dx sum(d/dx sum(x³)) = d/dx sum(3x²) = 6x
    const inner = (p: { x: Tensor }) => sum(grad((q: { x: Tensor }) => sum(mul(mul(q.x, q.x), q.x)))(p).x);
    const g = grad(inner)({ x });
    const xv = await read(x);
    (await read(g.x)).forEach((v, i) => expect(v).toBeCloseTo(6 * xv[i]!, 12));
    g.x.dispose();
  });

  it('adds gradients from every use of a parameter', async () => {
    using x = normal(createRng(6), be, [2], 0, 1, { dtype: 'f64' });
    const g = grad((p: { x: Tensor }) => sum(add(add(p.x, p.x), mul(p.x, 3))))({ x });
    expect(await read(g.x)).toEqual([5, 5]);
    g.x.dispose();
  });
});
