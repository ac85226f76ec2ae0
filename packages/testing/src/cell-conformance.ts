import {
  concat, createRng, mul, normal, reshape, scope, select, sum, tensor, tensorsIn, treeDispose, treeFlatten, treeLeaves, treeMap, type Backend, type Cell,
  type CellState, type ParamTree, type Tensor,
} from '@rnnkit/tensor';
import { valueAndGrad } from '@rnnkit/autograd';
import { afterEach, beforeAll, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { assertGradcheck, type GradcheckOptions } from './gradcheck.js';
import { expectClose, tolerances, type Tolerance } from './tolerance.js';

/** What the suite asks `make` for. */
export interface CellSizes {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly dtype: 'f32' | 'f64';
}

/** Parameter names (dotted paths, as `treeFlatten` gives them) → shapes, in the order `init` creates them. */
export type ExpectedParams = Readonly<Record<string, readonly number[]>>;

export interface CellConformanceOptions<P extends ParamTree = ParamTree, S extends CellState = CellState> {
  /** Shown in the suite title. */
  readonly name: string;
  /** Builds the cell under test for the given sizes and dtype (called many times; must not keep state). */
  readonly make: (sizes: CellSizes) => Cell<P, S>;
  /** The backend to run on, normally `createCpuBackend()` from @rnnkit/backend-cpu (f64 for the gradient checks). */
  readonly backend: () => Backend | Promise<Backend>;
  /**
   * Expected parameter names and shapes for `inputSize` and `hiddenSize` (a function of them, or a
   * record for the default sizes 3 and 5), in order. Omit to check only that every parameter is a
   * float tensor in the cell's dtype.
   */
  readonly expectedParams?: ExpectedParams | ((sizes: { readonly inputSize: number; readonly hiddenSize: number }) => ExpectedParams);
  /** Steps unrolled in the gradient check (default 3). */
  readonly steps?: number;
  /** Input size used throughout (default 3). */
  readonly inputSize?: number;
  /** Hidden size used throughout (default 5). */
  readonly hiddenSize?: number;
  /** Batch size used throughout (default 2). */
  readonly batch?: number;
  /** Dtypes whose structural checks run (default f32 and f64; those the backend lacks are skipped). */
  readonly dtypes?: readonly ('f32' | 'f64')[];
  /** Seed of parameters and test data (default 0). */
  readonly seed?: number;
  /** Passed to `gradcheck` (e.g. looser tolerances for a cell with kinks). */
  readonly gradcheck?: GradcheckOptions;
  /** Per-test timeout in ms (default vitest's). */
  readonly timeout?: number;
  /**
   * For a backend without f64 (e.g. WebGPU): a backend that computes in f64, normally
   * `createCpuBackend()`. The gradient tests then compare the backend's f32 outputs and gradients
   * (of Σ f·w for a seeded cotangent w, f the unrolled steps) with the reference's f64 ones from the
   * same f32 numbers, under `referenceTolerance`, and the f64 gradcheck runs on the reference.
   * Ignored when the backend has f64.
   */
  readonly reference?: () => Backend | Promise<Backend>;
  /** Tolerance of the comparison with `reference` (default `tolerances('f32')`). */
  readonly referenceTolerance?: Tolerance;
}

const values = async (t: Tensor): Promise<number[]> => Array.from(await t.read());

function disposeAll(...things: unknown[]): void {
  for (const t of tensorsIn(things)) t.dispose();
}

/** Rebuilds a parameter tree of `like`'s structure from its leaves in order. */
function rebuild<P extends ParamTree>(like: P, leaves: readonly Tensor[]): P {
  let i = 0;
  return treeMap(like, () => leaves[i++]!) as unknown as P;
}

/** A message-friendly list `name [a, b]` of a tree's leaves. */
function describeParams(params: ParamTree): string[] {
  return treeFlatten(params).map(([path, t]) => `${path} [${t.shape.join(', ')}]`);
}

/**
 * Registers a vitest `describe` block that checks a `Cell` against the contract: sizes and dtype
 * as asked; parameter names and shapes (when `expectedParams` is given) and every parameter a
 * float tensor in the cell's dtype; `zeroState` one zero [B, size] tensor per `stateSizes` entry;
 * `step` shapes (y [B, outputSize], state [B, size], aux [B, …]) for several batch sizes, without
 * disposing its inputs; determinism for a seed (same seed → identical parameters and outputs,
 * another seed → different ones); `project` + `stepProjected` (when present) equal to `step`,
 * also for a 2-D [N, I] input as packed scans pass; `gradcheck` in f64 over `steps` unrolled
 * steps with respect to every parameter, the inputs and the initial state (through `step`, and
 * through `project` + `stepProjected`); no leaked handles after any test; and errors for an input
 * of the wrong size (naming both sizes) and a state of the wrong shape. On a backend without f64,
 * given `reference`, gradcheck runs on the reference and the backend's f32 outputs and gradients
 * are compared with the reference's f64 ones.
 */
export function describeCellConformance<P extends ParamTree, S extends CellState>(options: CellConformanceOptions<P, S>): void {
  const I = options.inputSize ?? 3;
  const H = options.hiddenSize ?? 5;
  const B = options.batch ?? 2;
  const T = options.steps ?? 3;
  const seed = options.seed ?? 0;
  const timeout = options.timeout;
  const expected = typeof options.expectedParams === 'function' ? options.expectedParams({ inputSize: I, hiddenSize: H }) : options.expectedParams;

  describe(`cell conformance: ${options.name}`, () => {
    let be: Backend | undefined;
    let ref: Backend | undefined;
    let baseline = 0;
    const backend = (): Backend => be ?? expect.fail('the backend was not created (see the beforeAll error).');
    const needDtype = (ctx: TestContext, dtype: 'f32' | 'f64'): Backend => {
      const b = backend();
      if (!b.capabilities.dtypes.includes(dtype)) ctx.skip(`${b.name} does not support ${dtype}`);
      return b;
    };
    const make = (dtype: 'f32' | 'f64'): Cell<P, S> => options.make({ inputSize: I, hiddenSize: H, dtype });
    // Test data of one dtype, drawn from a fork of the seed named after its use.
    const data = (b: Backend, label: string, shape: readonly number[], dtype: 'f32' | 'f64', std = 1): Tensor =>
      normal(createRng(seed).fork(label), b, shape, 0, std, { dtype });

    beforeAll(async () => {
      be = await options.backend();
      if (options.reference && !be.capabilities.dtypes.includes('f64')) ref = await options.reference();
    });
    beforeEach(() => {
      if (be) baseline = be.stats().liveHandles;
    });
    afterEach(() => {
      if (be) expect(be.stats().liveHandles, 'live handles after the test (the cell leaked tensors, or disposed ones it does not own)').toBe(baseline);
    });

    for (const dtype of options.dtypes ?? (['f32', 'f64'] as const)) {
      describe(dtype, () => {
        it('reports the sizes and dtype it was made with', (ctx) => {
          needDtype(ctx, dtype);
          const cell = make(dtype);
          expect(cell.inputSize, 'inputSize').toBe(I);
          expect(cell.hiddenSize, 'hiddenSize').toBe(H);
          expect(cell.dtype, 'dtype').toBe(dtype);
          expect(Number.isInteger(cell.outputSize) && cell.outputSize > 0, `outputSize ${cell.outputSize} must be a positive integer`).toBe(true);
          expect(typeof cell.kind === 'string' && cell.kind.length > 0, 'kind must be a non-empty string').toBe(true);
          const sizes = Object.entries<number>(cell.stateSizes);
          expect(sizes.length, 'stateSizes must name at least one state tensor').toBeGreaterThan(0);
          for (const [name, size] of sizes) expect(Number.isInteger(size) && size > 0, `stateSizes.${name} = ${size} must be a positive integer`).toBe(true);
          expect(Boolean(cell.project), 'project and stepProjected come together').toBe(Boolean(cell.stepProjected));
        });

        it(expected ? 'parameters have the expected names and shapes, each a float tensor in the cell dtype' : `every parameter is a ${dtype} tensor`, { timeout }, (ctx) => {
          const b = needDtype(ctx, dtype);
          const params = make(dtype).init(createRng(seed), b);
          try {
            const flat = treeFlatten(params);
            expect(flat.length, 'init must create at least one parameter').toBeGreaterThan(0);
            if (expected) {
              const want = Object.entries(expected).map(([name, shape]) => `${name} [${shape.join(', ')}]`);
              expect(describeParams(params), `parameter names and shapes for inputSize ${I}, hiddenSize ${H}, in init order`).toEqual(want);
            }
            for (const [path, t] of flat) expect(t.dtype, `parameter ${path} dtype`).toBe(dtype);
          } finally {
            treeDispose(params);
          }
        });

        it('zeroState gives one zero [B, size] tensor per stateSizes entry', { timeout }, async (ctx) => {
          const b = needDtype(ctx, dtype);
          const cell = make(dtype);
          for (const batch of [1, B]) {
            const state = cell.zeroState(batch, b);
            try {
              expect(Object.keys(state).sort(), 'state names').toEqual(Object.keys(cell.stateSizes).sort());
              for (const [name, size] of Object.entries<number>(cell.stateSizes)) {
                const s = state[name]!;
                expect(s.shape, `state '${name}' shape for batch ${batch}`).toEqual([batch, size]);
                expect(s.dtype, `state '${name}' dtype`).toBe(dtype);
                expect((await values(s)).every((v) => v === 0), `state '${name}' must be all zeros`).toBe(true);
              }
            } finally {
              disposeAll(state);
            }
          }
        });

        it('step gives y [B, outputSize], state [B, size] and aux [B, …] for any batch size, leaving its inputs alone', { timeout }, async (ctx) => {
          const b = needDtype(ctx, dtype);
          const cell = make(dtype);
          const params = cell.init(createRng(seed), b);
          try {
            for (const batch of [1, B, B + 1]) {
              const x = data(b, `step x ${batch}`, [batch, I], dtype);
              const state = cell.zeroState(batch, b);
              const r = cell.step(params, state, x);
              try {
                expect(r.y.shape, `y shape for batch ${batch}`).toEqual([batch, cell.outputSize]);
                expect(r.y.dtype, 'y dtype').toBe(dtype);
                expect(Object.keys(r.state).sort(), 'names of the new state').toEqual(Object.keys(cell.stateSizes).sort());
                for (const [name, size] of Object.entries<number>(cell.stateSizes)) {
                  const s = r.state[name]!;
                  expect(s.shape, `new state '${name}' shape for batch ${batch}`).toEqual([batch, size]);
                  expect(s.dtype, `new state '${name}' dtype`).toBe(dtype);
                  expect((await values(s)).every(Number.isFinite), `new state '${name}' must be finite`).toBe(true);
                }
                expect((await values(r.y)).every(Number.isFinite), 'y must be finite').toBe(true);
                for (const [name, a] of Object.entries(r.aux ?? {})) expect(a.shape[0], `aux '${name}' ${JSON.stringify(a.shape)} must lead with the batch`).toBe(batch);
                expect(x.isDisposed || Object.values(state).some((s) => s.isDisposed) || treeLeaves(params).some((p) => p.isDisposed), 'step must not dispose its inputs').toBe(false);
              } finally {
                disposeAll(x, state, r);
              }
            }
          } finally {
            treeDispose(params);
          }
        });

        it('is deterministic for a seed: same seed, same parameters and outputs; another seed, different ones', { timeout }, async (ctx) => {
          const b = needDtype(ctx, dtype);
          const run = async (s: number): Promise<{ params: number[][]; y: number[]; state: number[][] }> => {
            const cell = make(dtype); // a fresh cell each time: the factory must not carry state
            const params = cell.init(createRng(s), b);
            const x = data(b, 'determinism x', [B, I], dtype);
            const state = cell.zeroState(B, b);
            const r = cell.step(params, state, x);
            try {
              return {
                params: await Promise.all(treeLeaves(params).map(values)),
                y: await values(r.y),
                state: await Promise.all(Object.keys(cell.stateSizes).map((k) => values(r.state[k]!))),
              };
            } finally {
              disposeAll(params, x, state, r);
            }
          };
          const a = await run(seed);
          const again = await run(seed);
          const other = await run(seed + 1);
          expect(again.params, 'parameters from the same seed').toEqual(a.params);
          expect(again.y, 'y from the same seed').toEqual(a.y);
          expect(again.state, 'state from the same seed').toEqual(a.state);
          expect(a.params.some((p, i) => p.some((v, j) => v !== other.params[i]![j])), 'another seed must give different parameters').toBe(true);
          expect(a.y.some((v, i) => v !== other.y[i]), 'another seed must give a different y').toBe(true);
        });

        it('project + stepProjected equal step, for [T, B, I] and [N, I] inputs', { timeout }, async (ctx) => {
          const b = needDtype(ctx, dtype);
          const cell = make(dtype);
          if (!cell.project || !cell.stepProjected) ctx.skip(`${cell.kind} has no project/stepProjected`);
          const params = cell.init(createRng(seed), b);
          const xs = data(b, 'project xs', [T, B, I], dtype);
          const flat = reshape(xs, [T * B, I]);
          const proj = cell.project!(params, xs);
          const projFlat = cell.project!(params, flat);
          let viaStep = cell.zeroState(B, b);
          let viaProj = cell.zeroState(B, b);
          const owned: unknown[] = [params, xs, flat, proj, projFlat];
          try {
            expect(proj.rank, 'project([T, B, I]) rank').toBe(3);
            expect(proj.shape.slice(0, 2), 'project([T, B, I]) leading axes').toEqual([T, B]);
            expect(projFlat.shape, 'project([N, I]) must give [N, G] (scan packs rows this way)').toEqual([T * B, proj.shape[2]]);
            expectClose(await projFlat.read(), await proj.read(), dtype, 'project([N, I]) vs project([T, B, I])');
            for (let t = 0; t < T; t++) {
              const x = select(xs, 0, t);
              const xp = select(proj, 0, t);
              owned.push(x, xp);
              const a = cell.step(params, viaStep, x);
              const p = cell.stepProjected!(params, viaProj, xp);
              owned.push(viaStep, viaProj, a, p);
              expectClose(await p.y.read(), await a.y.read(), dtype, `y at step ${t}`);
              for (const k of Object.keys(cell.stateSizes)) expectClose(await p.state[k]!.read(), await a.state[k]!.read(), dtype, `state '${k}' at step ${t}`);
              viaStep = a.state;
              viaProj = p.state;
            }
          } finally {
            disposeAll(owned, viaStep, viaProj);
          }
        });

        it('init, zeroState, step and project leave no handle behind once their results are disposed', { timeout }, (ctx) => {
          const b = needDtype(ctx, dtype);
          const before = b.stats().liveHandles;
          const cell = make(dtype);
          const params = cell.init(createRng(seed), b);
          expect(b.stats().liveHandles - before, 'handles held by the parameters').toBe(treeLeaves(params).length);
          const x = data(b, 'leak x', [B, I], dtype);
          const state = cell.zeroState(B, b);
          const r = cell.step(params, state, x);
          const r2 = cell.step(params, r.state, x);
          const xs = cell.project ? reshape(x, [1, B, I]) : undefined;
          const proj = xs ? cell.project!(params, xs) : undefined;
          disposeAll(params, x, state, r, r2, xs, proj);
          expect(b.stats().liveHandles, 'live handles after disposing everything the cell returned').toBe(before);
        });

        it(`a wrong input size throws naming both sizes (${I} and ${I + 1}); a wrong state shape throws`, { timeout }, (ctx) => {
          const b = needDtype(ctx, dtype);
          const cell = make(dtype);
          const params = cell.init(createRng(seed), b);
          const bad = data(b, 'bad x', [B, I + 1], dtype);
          const x = data(b, 'good x', [B, I], dtype);
          const state = cell.zeroState(B, b);
          const wrongBatch = cell.zeroState(B + 1, b);
          try {
            let message = '';
            try {
              disposeAll(cell.step(params, state, bad));
            } catch (e) {
              message = e instanceof Error ? e.message : String(e);
            }
            expect(message, `step with x [${B}, ${I + 1}] on a cell of input size ${I} must throw`).not.toBe('');
            expect(message, 'the error must name the expected input size').toMatch(new RegExp(`\\b${I}\\b`));
            expect(message, 'the error must name the given input size').toMatch(new RegExp(`\\b${I + 1}\\b`));
            expect(() => disposeAll(cell.step(params, wrongBatch, x)), `step with a state of batch ${B + 1} and x of batch ${B} must throw`).toThrow();
          } finally {
            disposeAll(params, bad, x, state, wrongBatch);
          }
        });
      });
    }

    describe('gradients (f64)', () => {
      // f(params…, xs, state…) = every y_t and the final state, flattened: T steps from the given state.
      const unrolled = (cell: Cell<P, S>, like: P, projected: boolean) => {
        const nParams = treeLeaves(like).length;
        const names = Object.keys(cell.stateSizes);
        return (...inputs: Tensor[]): Tensor => {
          const params = rebuild(like, inputs.slice(0, nParams));
          const xs = inputs[nParams]!;
          let state = Object.fromEntries(names.map((k, i) => [k, inputs[nParams + 1 + i]!])) as unknown as S;
          const proj = projected ? cell.project!(params, xs) : xs;
          const outs: Tensor[] = [];
          for (let t = 0; t < xs.shape[0]!; t++) {
            const r = projected ? cell.stepProjected!(params, state, select(proj, 0, t)) : cell.step(params, state, select(xs, 0, t));
            outs.push(r.y);
            state = r.state;
          }
          for (const k of names) outs.push(state[k]!);
          return concat(outs.map((o) => reshape(o, [o.size])), 0);
        };
      };

      for (const projected of [false, true]) {
        const title = projected
          ? `gradcheck over ${T} steps of project + stepProjected, w.r.t. every parameter, the inputs and the initial state`
          : `gradcheck over ${T} steps of step, w.r.t. every parameter, the inputs and the initial state`;
        it(options.reference ? `${title} (on the reference backend when this one has no f64)` : title, { timeout }, async (ctx) => {
          // Without f64 but with a reference, the check runs there: it proves the f64 gradients the
          // f32 ones are then compared with.
          const b = ref ?? needDtype(ctx, 'f64');
          const cell = make('f64');
          if (projected && !(cell.project && cell.stepProjected)) ctx.skip(`${cell.kind} has no project/stepProjected`);
          const params = cell.init(createRng(seed), b);
          const xs = data(b, 'gradcheck xs', [T, B, I], 'f64');
          const state = Object.entries<number>(cell.stateSizes).map(([k, size]) => data(b, `gradcheck state ${k}`, [B, size], 'f64', 0.5));
          try {
            await assertGradcheck(unrolled(cell, params, projected), [...treeLeaves(params), xs, ...state], { seed, ...options.gradcheck });
          } finally {
            disposeAll(params, xs, state);
          }
        });
      }

      // Backends without f64: f32 outputs and gradients against the reference's f64, from the same f32 numbers.
      for (const projected of options.reference ? [false, true] : []) {
        const what = projected ? 'project + stepProjected' : 'step';
        it(`f32 outputs and gradients over ${T} steps of ${what} match the reference backend's f64 (backends without f64)`, { timeout }, async (ctx) => {
          if (!ref) ctx.skip(`${backend().name} has f64: gradcheck runs instead`);
          const b = needDtype(ctx, 'f32');
          const cell32 = make('f32');
          if (projected && !(cell32.project && cell32.stepProjected)) ctx.skip(`${cell32.kind} has no project/stepProjected`);
          const cell64 = make('f64');
          const refBefore = ref!.stats().liveHandles;
          const params = cell32.init(createRng(seed), b);
          const xs = data(b, 'gradcheck xs', [T, B, I], 'f32');
          const state = Object.entries<number>(cell32.stateSizes).map(([k, size]) => data(b, `gradcheck state ${k}`, [B, size], 'f32', 0.5));
          const inputs32 = [...treeLeaves(params), xs, ...state];
          const names = [...treeFlatten(params).map(([path]) => path), 'xs', ...Object.keys(cell32.stateSizes).map((k) => `initial state ${k}`)];
          const owned: unknown[] = [params, xs, state];
          try {
            const inputs64 = await Promise.all(inputs32.map(async (t) => tensor(ref!, Float64Array.from(await t.read()), t.shape, 'f64')));
            owned.push(inputs64);
            const run = async (cell: Cell<P, S>, inputs: readonly Tensor[]) => {
              const be2 = inputs[0]!.backend;
              const f = unrolled(cell, rebuild(params, inputs.slice(0, treeLeaves(params).length)), projected);
              const probe = scope(() => f(...inputs));
              const y = await probe.read();
              const n = probe.size;
              probe.dispose();
              const wHost = createRng(seed).fork('cotangent').normalArray(n);
              const w = tensor(be2, cell.dtype === 'f32' ? Float32Array.from(wHost) : wHost, [n], cell.dtype);
              const { value, grads } = scope(() => valueAndGrad((xs: Tensor[]) => sum(mul(f(...xs), w)))([...inputs]));
              try {
                return { y, grads: await Promise.all(grads.map((g) => g.read())) };
              } finally {
                disposeAll(w, value, grads);
              }
            };
            const got = await run(cell32, inputs32);
            const want = await run(cell64, inputs64);
            const tol = options.referenceTolerance ?? tolerances('f32');
            expectClose(got.y, want.y, tol, `outputs (every y_t, then the final state) vs ${ref!.name} f64`);
            want.grads.forEach((g, i) => expectClose(got.grads[i]!, g, tol, `gradient w.r.t. ${names[i]} vs ${ref!.name} f64`));
          } finally {
            disposeAll(owned);
          }
          expect(ref!.stats().liveHandles, `live handles on ${ref!.name} after the test`).toBe(refBefore);
        });
      }
    });
  });
}
