// Replays PyTorch golden fixtures (test/fixtures/nn.json, made by `python3 tools/fixtures/nn.py`)
// on the CPU backend: forward values and the gradients of L = Σ out·cotangent from valueAndGrad,
// in f64 and f32, under the project's tolerance rule (docs/conventions.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mul, sum, tensor, treeDispose, type Backend, type DType, type Tensor } from '@rnnkit/tensor';
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { expectClose } from '@rnnkit/testing';
import { embedding, linear, mse, softmaxCrossEntropy, type Reduction } from '@rnnkit/nn';

interface ArrayFixture {
  readonly shape: number[];
  readonly dtype: DType;
  readonly data: number[];
}

interface CaseFixture {
  readonly name: string;
  readonly kind: 'linear' | 'embedding' | 'softmaxCrossEntropy' | 'mse';
  readonly dtype: 'f32' | 'f64';
  readonly options: Record<string, unknown>;
  readonly inputs: Record<string, ArrayFixture>;
  readonly output: ArrayFixture;
  readonly cotangent: ArrayFixture;
  readonly grads: Record<string, ArrayFixture>;
}

const FIXTURE_URL = new URL('./fixtures/nn.json', import.meta.url);

// A missing or empty file fails the whole file (it is never skipped).
function loadCases(): CaseFixture[] {
  let text: string;
  try {
    text = readFileSync(FIXTURE_URL, 'utf8');
  } catch (e) {
    throw new Error(`nn fixtures: cannot read ${FIXTURE_URL.pathname}; generate it with \`python3 tools/fixtures/nn.py\`.`, { cause: e });
  }
  const cases = (JSON.parse(text) as { cases?: CaseFixture[] }).cases;
  if (!Array.isArray(cases) || cases.length === 0) throw new Error(`nn fixtures: ${FIXTURE_URL.pathname} holds no cases.`);
  return cases;
}

const cases = loadCases();
const upload = (be: Backend, a: ArrayFixture): Tensor => tensor(be, a.data, a.shape, a.dtype);

type Inputs = Record<string, Tensor>;

/** The rnnkit computation of one case, as a function of its differentiated inputs and the rest. */
function forward(c: CaseFixture): (diff: Inputs, rest: Inputs) => Tensor {
  const o = c.options;
  switch (c.kind) {
    case 'linear': {
      const layer = linear({ inputSize: o.inputSize as number, outputSize: o.outputSize as number, bias: o.bias as boolean, dtype: c.dtype });
      return (d) => layer.apply(o.bias ? { weight: d.weight!, bias: d.bias! } : { weight: d.weight! }, d.x!);
    }
    case 'embedding': {
      const layer = embedding({ ...(o as { numEmbeddings: number; embeddingDim: number; paddingIdx?: number }), dtype: c.dtype });
      return (d, r) => layer.apply({ weight: d.weight! }, r.ids!);
    }
    case 'softmaxCrossEntropy':
      return (d, r) =>
        softmaxCrossEntropy(d.logits!, r.targets!, {
          ...(r.mask ? { mask: r.mask } : {}),
          ...(o.ignoreIndex !== undefined ? { ignoreIndex: o.ignoreIndex as number } : {}),
          ...(o.reduction ? { reduction: o.reduction as Reduction } : {}),
        });
    case 'mse':
      return (d, r) => mse(d.pred!, d.target!, { ...(r.mask ? { mask: r.mask } : {}), ...(o.reduction ? { reduction: o.reduction as Reduction } : {}) });
  }
}

function check(label: string, t: Tensor, want: ArrayFixture, dtype: DType): void {
  expect([...t.shape], `${label}: shape`).toEqual(want.shape);
  expect(t.dtype, `${label}: dtype`).toBe(dtype);
  expectClose(t.readSync(), want.data, dtype, label);
}

describe('nn matches PyTorch (tools/fixtures/nn.py)', () => {
  const be = createCpuBackend();

  it('has cases of every kind in both dtypes', () => {
    const kinds = new Set(cases.map((c) => `${c.kind}/${c.dtype}`));
    for (const k of ['linear', 'embedding', 'softmaxCrossEntropy', 'mse']) for (const d of ['f32', 'f64']) expect(kinds).toContain(`${k}/${d}`);
  });

  it.each(cases.map((c) => [`${c.dtype} ${c.name}`, c] as const))('%s', (_, c) => {
    const before = be.stats().liveHandles;
    const diff: Inputs = {};
    const rest: Inputs = {};
    for (const [k, a] of Object.entries(c.inputs)) (k in c.grads ? diff : rest)[k] = upload(be, a);
    const f = forward(c);
    const cot = upload(be, c.cotangent);

    const out = f(diff, rest);
    check('output', out, c.output, c.dtype);
    out.dispose();

    const { value, grads } = valueAndGrad((p: Inputs) => sum(mul(f(p, rest), cot)))(diff);
    for (const [k, want] of Object.entries(c.grads)) check(`d/d${k}`, grads[k]!, want, c.dtype);

    value.dispose();
    treeDispose(grads);
    treeDispose([diff, rest, cot]);
    expect(be.stats().liveHandles).toBe(before);
  });
});
