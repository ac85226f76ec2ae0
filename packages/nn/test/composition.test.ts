// embedding → linear → loss, composed by hand as the README shows, trained and checked end to end.
import { describe, expect, it } from 'vitest';
import { createRng, mul, scope, sub, tanh, tensor, treeDispose, treeZip, type Tensor } from '@rnnkit/tensor';
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { assertGradcheck } from '@rnnkit/testing';
import { dropout, embedding, linear, softmaxCrossEntropy, type EmbeddingParams, type LinearParams, type Module } from '@rnnkit/nn';

const be = createCpuBackend();
const [V, E, H, PAD] = [7, 5, 6, 0];

describe('composition: embedding → linear → tanh → linear → loss', () => {
  const embed = embedding({ numEmbeddings: V, embeddingDim: E, paddingIdx: PAD, dtype: 'f64' });
  const hidden = linear({ inputSize: E, outputSize: H, dtype: 'f64' });
  const head = linear({ inputSize: H, outputSize: V, dtype: 'f64' });
  type Params = { embed: EmbeddingParams; hidden: LinearParams; head: LinearParams };

  const init = (seed: number): Params => {
    const rng = createRng(seed);
    return { embed: embed.init(rng, be), hidden: hidden.init(rng, be), head: head.init(rng, be) };
  };
  const logits = (p: Params, ids: Tensor): Tensor => head.apply(p.head, tanh(hidden.apply(p.hidden, embed.apply(p.embed, ids)))); // [B, T, V]
  const loss = (p: Params, ids: Tensor, targets: Tensor): Tensor => softmaxCrossEntropy(logits(p, ids), targets, { ignoreIndex: PAD });

  const ids = () => tensor(be, [[1, 2, 3, 4, 5, 6], [2, 3, 4, PAD, PAD, PAD]], [2, 6], 'i32'); //           [B, T]
  const targets = () => tensor(be, [[2, 3, 4, 5, 6, PAD], [3, 4, 5, PAD, PAD, PAD]], [2, 6], 'i32'); // [B, T]

  it('trains: the loss falls and no handle is left behind', async () => {
    const before = be.stats().liveHandles;
    let params = init(0);
    const x = ids();
    const y = targets();
    const step = valueAndGrad(loss);
    const losses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const { value, grads } = step(params, x, y);
      losses.push(await value.item());
      const next = scope(() => treeZip<Params, Tensor>([params, grads], ([p, g]) => sub(p!, mul(g!, 0.5))));
      treeDispose([params, grads, value]);
      params = next;
    }
    expect(losses[0]).toBeGreaterThan(1);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! / 10);
    treeDispose([params, x, y]);
    expect(be.stats().liveHandles).toBe(before);
  });

  it('gradients of the whole model match central differences (f64)', async () => {
    const p = init(1);
    const x = ids();
    const y = targets();
    // The embedding rows of the padding id get no gradient by design, so check the table without them through a padding-free layer.
    const plainEmbed = embedding({ numEmbeddings: V, embeddingDim: E, dtype: 'f64' });
    using noPad = tensor(be, [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]], [2, 6], 'i32');
    await assertGradcheck(
      (w, w1, b1, w2, b2) =>
        softmaxCrossEntropy(
          head.apply({ weight: w2, bias: b2 }, tanh(hidden.apply({ weight: w1, bias: b1 }, plainEmbed.apply({ weight: w }, noPad)))),
          y,
          { ignoreIndex: PAD },
        ),
      [p.embed.weight, p.hidden.weight, p.hidden.bias, p.head.weight, p.head.bias],
    );
    // With the padding layer, the gradient of the padding row is exactly zero.
    const { value, grads } = valueAndGrad(loss)(p, x, y);
    const g = grads.embed.weight.readSync();
    expect([...g.subarray(PAD * E, (PAD + 1) * E)]).toEqual(new Array<number>(E).fill(0));
    expect(g.some((v) => v !== 0)).toBe(true);
    treeDispose([value, grads, p, x, y]);
  });

  it('dropout between layers is deterministic for a seed and off at evaluation', () => {
    const p = init(2);
    const x = ids();
    const forward = (training: boolean, seed: number) =>
      scope(() => head.apply(p.head, dropout(tanh(hidden.apply(p.hidden, embed.apply(p.embed, x))), 0.5, { rng: createRng(seed), training })));
    const [a, b, c, e1, e2] = [forward(true, 1), forward(true, 1), forward(true, 2), forward(false, 1), forward(false, 2)];
    expect(a.readSync()).toEqual(b.readSync());
    expect(a.readSync()).not.toEqual(c.readSync());
    expect(e1.readSync()).toEqual(e2.readSync());
    treeDispose([a, b, c, e1, e2, p, x]);
  });

  it('a layer of your own fits the Module type', () => {
    const scaleBy = (factor: number): Module<{ s: Tensor }> => ({
      init: (_rng, backend) => ({ s: tensor(backend, [factor], [1], 'f64') }),
      apply: (params, x) => mul(x, params.s),
    });
    const layers: Module<LinearParams>[] = [hidden];
    expect(layers).toHaveLength(1);
    const s = scaleBy(3);
    const p = s.init(createRng(0), be);
    using x = tensor(be, [1, 2], [2], 'f64');
    using y = s.apply(p, x);
    expect([...y.readSync()]).toEqual([3, 6]);
    treeDispose(p);
  });
});
