import { add, createRng, DTYPES, tensor, type Backend, type DType, type Tensor } from '@rnnkit/tensor';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { CONFORMANCE_CASES } from './internal/cases.js';
import { Harness, type FloatTolerances } from './internal/harness.js';

export interface BackendConformanceOptions {
  /** Shown in the suite title. */
  readonly name: string;
  /**
   * Makes the backend under test (once per suite). Return null when it cannot exist here (no GPU
   * adapter, say): every test is then skipped, not failed.
   */
  readonly create: () => Backend | null | Promise<Backend | null>;
  /** Makes the oracle, normally `createCpuBackend()` from @rnnkit/backend-cpu (f64 capable). */
  readonly reference: () => Backend | Promise<Backend>;
  /** Replaces the project's float tolerances (see `tolerances`). */
  readonly tolerance?: FloatTolerances;
  /** Seed of the test data (default 0); every test draws from its own fork of it. */
  readonly seed?: number;
  /** Per-test timeout in ms (default vitest's); slow devices may need more. */
  readonly timeout?: number;
  /** Called after all tests, e.g. to destroy a GPU device. */
  readonly destroy?: (backend: Backend) => void | Promise<void>;
}

/**
 * Registers a vitest `describe` block that checks a backend against a reference backend: every
 * primitive kernel, through the public ops and called directly on handcrafted strided views, over
 * a matrix of shapes (scalars, empty, odd sizes crossing workgroup sizes, broadcasting, permuted,
 * offset, strided and stride-0 views), for every dtype the backend lists (the others are skipped);
 * f32 results are compared with the reference computing in f64. Also upload/read round trips,
 * NaN/±Inf (when `capabilities.ieeeSpecialValues`), error messages, and that every test leaves
 * `stats().liveHandles` where it found it.
 */
export function describeBackendConformance(options: BackendConformanceOptions): void {
  describe(`backend conformance: ${options.name}`, () => {
    let be: Backend | undefined;
    let ref: Backend | undefined;
    let unavailable = false;
    let baseline = 0;
    const reference = (): Backend => ref ?? expect.fail('the reference backend was not created (see the beforeAll error).');
    // The backend under test, or a skip when `create` said it cannot exist here.
    const backend = (ctx: TestContext): Backend => {
      if (unavailable) ctx.skip(`${options.name} is not available here`);
      return be ?? expect.fail('the backend under test was not created (see the beforeAll error).');
    };

    beforeAll(async () => {
      ref = await options.reference();
      be = (await options.create()) ?? undefined;
      unavailable = be === undefined;
      if (be) expect(be.capabilities.dtypes, `${be.name} must list i32 and bool among its dtypes`).toEqual(expect.arrayContaining(['i32', 'bool']));
    });
    afterAll(async () => {
      if (be && options.destroy) await options.destroy(be);
    });
    beforeEach(() => {
      if (be) baseline = be.stats().liveHandles;
    });
    afterEach(() => {
      if (be) expect(be.stats().liveHandles, 'live handles after the test (a kernel or op leaked, or freed too much)').toBe(baseline);
    });

    const harness = (b: Backend, title: string): Harness => new Harness(b, reference(), createRng(options.seed ?? 0).fork(title), options.tolerance);

    for (const dtype of DTYPES) {
      describe(dtype, () => {
        for (const c of CONFORMANCE_CASES) {
          if (!c.dtypes.includes(dtype)) continue;
          const title = `${c.group}: ${c.title}`;
          it(title, { timeout: options.timeout }, async (ctx) => {
            const b = backend(ctx);
            if (!b.capabilities.dtypes.includes(dtype)) ctx.skip(`${b.name} does not support ${dtype}`);
            for (const r of c.requires ?? []) if (!b.capabilities.dtypes.includes(r)) ctx.skip(`${b.name} does not support ${r}`);
            if (c.ieee && !b.capabilities.ieeeSpecialValues) ctx.skip(`${b.name} does not promise IEEE NaN/Inf`);
            if (c.requiresFused && !b.fused?.[c.requiresFused]) ctx.skip(`${b.name} has no fused ${c.requiresFused} (optional)`);
            await c.run(harness(b, `${dtype} ${title}`), dtype);
          });
        }
      });
    }

    describe('contract errors', () => {
      const pair = (b: Backend, dtype: DType = 'i32'): Tensor[] => [tensor(b, [1, 2, 3, 4, 5, 6], [2, 3], dtype), tensor(b, [1, 2, 3, 4], [4], dtype)];

      it('mixing tensors from two backends throws, naming "different backends"', (ctx) => {
        const mine = pair(backend(ctx));
        const theirs = pair(reference());
        try {
          expect(() => add(mine[0]!, theirs[0]!)).toThrow(/different backends/);
        } finally {
          for (const t of [...mine, ...theirs]) t.dispose();
        }
      });

      it('using or reading a disposed tensor throws, naming "disposed"', async (ctx) => {
        const [a, b] = pair(backend(ctx));
        a!.dispose();
        try {
          expect(() => add(a!, a!)).toThrow(/disposed/);
          await expect(Promise.resolve().then(() => a!.read())).rejects.toThrow(/disposed/);
          if (backend(ctx).capabilities.syncRead) expect(() => a!.readSync()).toThrow(/disposed/);
        } finally {
          b!.dispose();
        }
      });

      it('add with shapes that do not broadcast names both shapes', (ctx) => {
        const [a, b] = pair(backend(ctx));
        try {
          expect(() => add(a!, b!)).toThrow(/\[2, 3\][\s\S]*\[4\]/);
        } finally {
          a!.dispose();
          b!.dispose();
        }
      });

      it('dispose frees the handle once, with views sharing it', (ctx) => {
        const b = backend(ctx);
        const before = b.stats().liveHandles;
        const t = tensor(b, [1, 2, 3, 4], [2, 2], 'i32');
        expect(b.stats().liveHandles).toBe(before + 1);
        const v = t.withLayout([2, 2], [1, 2], 0);
        t.dispose();
        t.dispose();
        expect(b.stats().liveHandles, 'a view keeps its storage alive').toBe(before + 1);
        v.dispose();
        expect(b.stats().liveHandles).toBe(before);
      });
    });
  });
}
