import { valueAndGrad } from '@rnnkit/autograd';
import {
  add, mul, scalar, scope, square, sub, sum, tensor, type Tensor, tensorsIn, treeDispose, treeMap, zeros, type Backend, type Transform,
} from '@rnnkit/tensor';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/** A step budget for one test problem. */
export interface OptimizerProblem {
  /** Updates allowed before ‖x − x*‖ must be below `tolerance`. */
  readonly steps: number;
  /** The transform for this problem (to give it its own learning rate); default `make`. */
  readonly make?: () => Transform<unknown>;
  /** Distance to the minimiser required at the end (default 1e-2). */
  readonly tolerance?: number;
}

export interface RosenbrockProblem extends OptimizerProblem {
  /** f(x, y) = (1 − x)² + b(y − x²)², default b = 100 (the classic valley). */
  readonly b?: number;
  /** Starting point (default [−1.2, 1], the classic one). */
  readonly start?: readonly [number, number];
}

export interface OptimizerConformanceOptions {
  /** Shown in the suite title. */
  readonly name: string;
  /** Makes a fresh transform (same hyperparameters every call). */
  readonly make: () => Transform<unknown>;
  /** The backend to run on, normally the reference `createCpuBackend()`. */
  readonly backend: () => Backend;
  /** Dtype of the parameters (default 'f64'). */
  readonly dtype?: 'f32' | 'f64';
  /** ½ Σ aᵢ(xᵢ − cᵢ)² over a tree of a [3] and a [2, 2] tensor, curvatures 0.5…4, from x = 0. */
  readonly quadratic: OptimizerProblem;
  /** Rosenbrock's valley over two 0-d parameters; false skips it (say why in a comment). */
  readonly rosenbrock: RosenbrockProblem | false;
  /**
   * Your `chain` and `identity` (the kit cannot import an optimiser package): checks that
   * chain(identity(), t) gives exactly t's updates.
   */
  readonly compose?: {
    readonly chain: (...transforms: Transform<unknown>[]) => Transform<unknown>;
    readonly identity: () => Transform<unknown>;
  };
  /** Your state (de)serialisation: checks that a state survives the round trip and resumes bit for bit. */
  readonly serialization?: {
    readonly serialize: (state: unknown) => Promise<unknown>;
    readonly deserialize: (data: unknown, backend: Backend) => unknown;
  };
}

type Tree = Record<string, Tensor>;

const QUAD_A = { v: [1, 2, 4], m: [0.5, 1.5, 3, 1] };
const QUAD_C = { v: [1, -2, 0.5], m: [0.25, -1, 2, -0.5] };
const QUAD_SHAPES = { v: [3], m: [2, 2] };

/**
 * Registers a vitest `describe` block checking an optimiser (any `Transform`): convergence on a
 * quadratic and on Rosenbrock within the given budgets (gradients from @rnnkit/autograd), a
 * state whose structure, shapes and dtypes do not change across steps, a pure `update` (inputs
 * untouched and not freed, same inputs → bit-identical outputs), no growth of live handles over
 * many steps, updates shaped like the gradients, and — when given the pieces — chain(identity(), t)
 * ≡ t and an exact serialisation round trip.
 */
export function describeOptimizerConformance(options: OptimizerConformanceOptions): void {
  const dtype = options.dtype ?? 'f64';
  describe(`optimizer conformance: ${options.name}`, () => {
    let be: Backend | undefined;
    let baseline = 0;
    const backend = (): Backend => be ?? expect.fail('the backend was not created (see the beforeAll error).');
    beforeAll(() => {
      be = options.backend();
    });
    beforeEach(() => {
      if (be) baseline = be.stats().liveHandles;
    });
    afterEach(() => {
      if (be) expect(be.stats().liveHandles, 'live handles after the test (the optimiser leaked, or freed what it did not own)').toBe(baseline);
    });

    const quadParams = (): Tree => ({ v: zeros(backend(), QUAD_SHAPES.v, dtype), m: zeros(backend(), QUAD_SHAPES.m, dtype) });
    const quadConsts = (which: typeof QUAD_A): Tree => ({
      v: tensor(backend(), which.v, QUAD_SHAPES.v, dtype),
      m: tensor(backend(), which.m, QUAD_SHAPES.m, dtype),
    });
    const quadLoss = (x: Tree, a: Tree, c: Tree): Tensor =>
      add(sum(mul(mul(square(sub(x.v!, c.v!)), a.v!), 0.5)), sum(mul(mul(square(sub(x.m!, c.m!)), a.m!), 0.5)));

    /** Gradients of the quadratic at x, plus the constants to free. */
    function quadGrads(): { grads: (x: Tree) => Tree; dispose: () => void } {
      const a = quadConsts(QUAD_A);
      const c = quadConsts(QUAD_C);
      const vg = valueAndGrad((x: Tree) => quadLoss(x, a, c));
      return {
        grads: (x) => {
          const { value, grads } = vg(x);
          value.dispose();
          return grads;
        },
        dispose: () => treeDispose([a, c]),
      };
    }

    it('converges on a quadratic within its step budget', async () => {
      const t = (options.quadratic.make ?? options.make)();
      const q = quadGrads();
      const x = run(t, quadParams(), options.quadratic.steps, q.grads);
      const got = await readAll(x);
      q.dispose();
      treeDispose(x);
      const distance = Math.hypot(...got.v!.map((v, i) => v - QUAD_C.v[i]!), ...got.m!.map((v, i) => v - QUAD_C.m[i]!));
      expect(distance, `‖x − x*‖ after ${options.quadratic.steps} steps`).toBeLessThan(options.quadratic.tolerance ?? 1e-2);
    });

    const rb = options.rosenbrock;
    it.skipIf(rb === false)('converges on Rosenbrock within its step budget', async () => {
      if (rb === false) return;
      const b = rb.b ?? 100;
      const [x0, y0] = rb.start ?? [-1.2, 1];
      const t = (rb.make ?? options.make)();
      const vg = valueAndGrad((p: Tree) => add(square(sub(1, p.x!)), mul(square(sub(p.y!, square(p.x!))), b)));
      const grads = (p: Tree): Tree => {
        const { value, grads: g } = vg(p);
        value.dispose();
        return g;
      };
      const p = run(t, { x: scalar(backend(), x0, dtype), y: scalar(backend(), y0, dtype) }, rb.steps, grads);
      const got = await readAll(p);
      treeDispose(p);
      const distance = Math.hypot(got.x![0]! - 1, got.y![0]! - 1);
      expect(distance, `‖(x, y) − (1, 1)‖ after ${rb.steps} steps from (${x0}, ${y0}), b = ${b}`).toBeLessThan(rb.tolerance ?? 1e-2);
    });

    it('keeps the state structure, shapes and dtypes across steps', () => {
      const t = options.make();
      const q = quadGrads();
      let x = quadParams();
      let state = t.init(x);
      const first = signature(state);
      for (let i = 0; i < 4; i++) {
        const g = q.grads(x);
        const [u, next] = t.update(g, state, x);
        expect(signature(u), 'the updates must have the gradients\' tree, shapes and dtypes').toEqual(signature(g));
        const x2 = scope<Tree>(() => treeMap(x, (leaf, path) => add(leaf, (u as Tree)[path]!)));
        disposeAll([g, u, x, state]);
        x = x2;
        state = next;
        expect(signature(state), `state after step ${i + 1}`).toEqual(first);
      }
      disposeAll([x, state]);
      q.dispose();
    });

    it('update is pure: inputs untouched and alive, same inputs give identical outputs', async () => {
      const t = options.make();
      const q = quadGrads();
      const x = quadParams();
      // Move off the initial state first, so moments are non-zero.
      let state = t.init(x);
      for (let i = 0; i < 2; i++) {
        const g = q.grads(x);
        const [u, next] = t.update(g, state, x);
        disposeAll([g, u, state]);
        state = next;
      }
      const g = q.grads(x);
      const inputs = [g, state, x];
      const before = await readAll(inputs);
      const [u1, s1] = t.update(g, state, x);
      const [u2, s2] = t.update(g, state, x);
      for (const leaf of tensorsIn(inputs)) expect(leaf.isDisposed, 'update must not dispose its inputs').toBe(false);
      expectIdentical(await readAll(inputs), before, 'inputs after update');
      expectIdentical(await readAll([u2, s2]), await readAll([u1, s1]), 'second update with the same inputs');
      // Outputs own their memory: freeing the inputs must leave them readable.
      disposeAll(inputs);
      await readAll([u1, s1]);
      disposeAll([u1, s1, u2, s2, x]);
      q.dispose();
    });

    it('does not grow live tensors over many steps', () => {
      const t = options.make();
      const q = quadGrads();
      let x = quadParams();
      let state = t.init(x);
      const live: number[] = [];
      for (let i = 0; i < 30; i++) {
        const g = q.grads(x);
        const [u, next] = t.update(g, state, x);
        const x2 = scope<Tree>(() => treeMap(x, (leaf, path) => add(leaf, (u as Tree)[path]!)));
        disposeAll([g, u, x, state]);
        x = x2;
        state = next;
        live.push(backend().stats().liveHandles);
      }
      expect(live.slice(2), 'live handles after each step').toEqual(live.slice(2).map(() => live[2]));
      disposeAll([x, state]);
      q.dispose();
    });

    it.skipIf(!options.compose)('chain(identity(), t) gives exactly the updates of t', async () => {
      const { chain, identity } = options.compose!;
      const a = options.make();
      const b = chain(identity(), options.make());
      const q = quadGrads();
      const x = quadParams();
      let sa = a.init(x);
      let sb = b.init(x);
      for (let i = 0; i < 3; i++) {
        const g = q.grads(x);
        const [ua, na] = a.update(g, sa, x);
        const [ub, nb] = b.update(g, sb, x);
        expectIdentical(await readAll(ub), await readAll(ua), `updates of step ${i + 1}`);
        disposeAll([g, ua, ub, sa, sb]);
        sa = na;
        sb = nb;
      }
      disposeAll([sa, sb, x]);
      q.dispose();
    });

    it.skipIf(!options.serialization)('state survives serialisation and resumes bit for bit', async () => {
      const { serialize, deserialize } = options.serialization!;
      const t = options.make();
      const q = quadGrads();
      let x = quadParams();
      let state = t.init(x);
      const step = (s: unknown, p: Tree): [Tree, unknown] => {
        const g = q.grads(p);
        const [u, next] = t.update(g, s, p);
        const p2 = scope<Tree>(() => treeMap(p, (leaf, path) => add(leaf, (u as Tree)[path]!)));
        disposeAll([g, u]);
        return [p2, next];
      };
      for (let i = 0; i < 3; i++) {
        const [x2, next] = step(state, x);
        disposeAll([x, state]);
        [x, state] = [x2, next];
      }
      const data = await serialize(state);
      const restored = deserialize(JSON.parse(JSON.stringify(data)) as unknown, backend());
      expect(signature(restored), 'restored state structure').toEqual(signature(state));
      expectIdentical(await readAll(restored), await readAll(state), 'restored state');
      let [xa, sa] = [x, state];
      let [xb, sb] = [scope<Tree>(() => treeMap(x, (leaf) => add(leaf, 0))), restored];
      for (let i = 0; i < 3; i++) {
        const [xa2, na] = step(sa, xa);
        const [xb2, nb] = step(sb, xb);
        disposeAll([xa, sa, xb, sb]);
        [xa, sa, xb, sb] = [xa2, na, xb2, nb];
      }
      expectIdentical(await readAll(xb), await readAll(xa), 'parameters after resuming');
      disposeAll([xa, sa, xb, sb]);
      q.dispose();
    });
  });
}

/** Runs `steps` updates from `params` (consumed), returning the final parameters; frees the rest. */
function run(t: Transform<unknown>, params: Tree, steps: number, grads: (x: Tree) => Tree): Tree {
  let x = params;
  let state = t.init(x);
  for (let i = 0; i < steps; i++) {
    const g = grads(x);
    const [u, next] = t.update(g, state, x);
    const x2 = scope<Tree>(() => treeMap(x, (leaf, path) => add(leaf, (u as Tree)[path]!)));
    disposeAll([g, u, x, state]);
    x = x2;
    state = next;
  }
  disposeAll(state);
  return x;
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && typeof (v as Tensor).retain === 'function' && typeof (v as Tensor).view === 'function';
}

function disposeAll(value: unknown): void {
  for (const t of tensorsIn(value)) t.dispose();
}

/** Paths, shapes and dtypes of the tensors, and the plain values, of any state. */
function signature(value: unknown, path = ''): string[] {
  if (isTensor(value)) return [`${path || '(root)'}: [${value.shape.join(', ')}] ${value.dtype}`];
  if (Array.isArray(value)) return value.flatMap((v: unknown, i) => signature(v, path ? `${path}.${i}` : String(i)));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => signature(v, path ? `${path}.${k}` : k));
  return [`${path || '(root)'} = ${String(value)}`];
}

/** Every tensor's values by path (via ParamTree flattening of the tensors found). */
async function readAll(value: unknown, path = ''): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  const visit = async (v: unknown, p: string): Promise<void> => {
    if (isTensor(v)) out[p || '(root)'] = Array.from(await v.read());
    else if (Array.isArray(v)) for (const [i, x] of v.entries()) await visit(x, p ? `${p}.${i}` : String(i));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) await visit(x, p ? `${p}.${k}` : k);
  };
  await visit(value, path);
  return out;
}

/** Same paths and bit-identical values (NaN equals NaN; −0 differs from 0). */
function expectIdentical(actual: Record<string, number[]>, expected: Record<string, number[]>, label: string): void {
  expect(Object.keys(actual), `${label}: tensor paths`).toEqual(Object.keys(expected));
  for (const [k, want] of Object.entries(expected)) {
    const got = actual[k]!;
    const i = want.findIndex((v, j) => !Object.is(v, got[j]));
    if (i >= 0) expect.fail(`${label}: '${k}'[${i}] is ${got[i]}, expected exactly ${want[i]}.`);
  }
}
