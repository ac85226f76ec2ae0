// Smoke test of the harness: one tiny workload (not a real row) through the timing protocol and
// the report code, checking the JSON line shape. No timing assertions: the harness is the measurement.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { describe, expect, it } from 'vitest';
import { runRow } from '../src/harness.js';
import { resultLine, type ResultLine } from '../src/report.js';
import { RNNKIT_VERSION, rnnkitRunner } from '../src/rnnkit.js';
import { runScaling } from '../src/scaling.js';
import { timeBatches, type TimingConfig } from '../src/timing.js';
import { flopsPerBatch, type Workload } from '../src/workloads.js';

const tiny: Workload = { id: 'tiny-lstm', cell: 'lstm', I: 4, H: 8, B: 2, T: 3, V: 5, layers: 1 };
const timing: TimingConfig = { warmups: 1, minRuns: 2, maxRuns: 2, minSeconds: 0, maxSeconds: Infinity };
const KEYS = ['system', 'backend', 'version', 'workload', 'mode', 'threads', 'tokens_per_s', 'gflops_median', 'runs', 'peak_bytes', 'node', 'adapter'];

function checkShape(line: ResultLine, extra: readonly string[] = []): void {
  expect(Object.keys(line)).toEqual([...KEYS, ...extra]);
  expect(line.system).toBe('rnnkit');
  expect(line.backend).toBe('cpu');
  expect(line.version).toBe(RNNKIT_VERSION);
  expect(line.threads).toBe(1);
  expect(line.adapter).toBeNull();
  expect(line.node).toBe(process.version);
  expect(Object.keys(line.tokens_per_s)).toEqual(['median', 'min', 'max']);
  const { median, min, max } = line.tokens_per_s;
  for (const v of [median, min, max, line.gflops_median]) expect(Number.isFinite(v) && v > 0).toBe(true);
  expect(min).toBeLessThanOrEqual(median);
  expect(median).toBeLessThanOrEqual(max);
  expect(typeof line.peak_bytes).toBe('number');
  expect(line.peak_bytes).toBeGreaterThan(0);
}

describe('bench harness', () => {
  it('runs a tiny rnnkit workload in both modes and emits one well-formed JSON line each', async () => {
    const be = createCpuBackend();
    const runner = rnnkitRunner({ name: 'cpu', create: () => Promise.resolve(be), threads: 1, adapter: null }, be);
    const out: string[] = [];
    for (const mode of ['train', 'infer'] as const) {
      const line = await runRow(runner, tiny, mode, { timing, sink: (s) => out.push(s) });
      expect(line).not.toBeNull();
    }
    expect(out).toHaveLength(2);
    for (const [i, text] of out.entries()) {
      expect(text).not.toContain('\n');
      const line = JSON.parse(text) as ResultLine;
      checkShape(line);
      expect(line.workload).toBe('tiny-lstm');
      expect(line.mode).toBe(i === 0 ? 'train' : 'infer');
      expect(line.runs).toBe(2);
    }
    expect(be.stats().liveHandles).toBe(0);
  });

  it('emits scaling lines with T and bptt for full, truncated and checkpointed BPTT', async () => {
    const be = createCpuBackend();
    const out: string[] = [];
    await runScaling(be, { name: 'cpu', threads: 1, adapter: null }, {
      Ts: [6],
      kinds: ['full', 'truncated', 'checkpointed'],
      quick: true,
      maxSeconds: Infinity,
      timing: { warmups: 0, minRuns: 1, maxRuns: 1, minSeconds: 0, maxSeconds: Infinity },
      shape: { I: 4, H: 8, B: 2, V: 5, k: 3 },
      sink: (s) => out.push(s),
    });
    expect(out.map((s) => (JSON.parse(s) as ResultLine).bptt)).toEqual(['full', 'truncated', 'checkpointed']);
    for (const text of out) {
      const line = JSON.parse(text) as ResultLine;
      checkShape(line, ['T', 'bptt', 'us_per_token']);
      expect(line.T).toBe(6);
      expect(line.mode).toBe('train');
    }
    expect(be.stats().liveHandles).toBe(0);
  });

  it('follows the protocol: warm-ups untimed, then at least minRuns and at most maxRuns', async () => {
    let calls = 0;
    const r = await timeBatches(() => Promise.resolve(void calls++), { warmups: 2, minRuns: 3, maxRuns: 10, minSeconds: 0, maxSeconds: Infinity });
    expect(r.warmups).toBe(2);
    expect(r.seconds).toHaveLength(3);
    expect(calls).toBe(5);
    const capped = await timeBatches(() => Promise.resolve(), { warmups: 0, minRuns: 1, maxRuns: 4, minSeconds: 1e9, maxSeconds: Infinity });
    expect(capped.seconds).toHaveLength(4);
  });

  it('computes tokens/s from the median and GFLOP/s by the BENCHMARKS.md formula', () => {
    const line = resultLine({
      system: 'rnnkit', backend: 'cpu', version: '0.0.0', workload: 'x', mode: 'train', threads: 1, adapter: null,
      seconds: [2, 1, 4], tokensPerBatch: 100, flopsPerBatch: 3e9, peakBytes: null,
    });
    expect(line.tokens_per_s).toEqual({ median: 50, min: 25, max: 100 });
    // per step per sequence 2·(I+H)·4·H + 2·H·V = 2·12·32 + 2·8·5 = 848; × B·T = 6; × 3 for train.
    expect(flopsPerBatch(tiny, 'train')).toBe(848 * 6 * 3);
    expect(line.gflops_median).toBe(1.5);
  });
});
