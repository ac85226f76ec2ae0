import { valueAndGrad } from '@rnnkit/autograd';
import { recurrent, scan } from '@rnnkit/bptt';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { disposeState } from '@rnnkit/optim';
import {
  createDiagnostics, diagnose, forgetGateProbe, gateSaturationProbe, memoryTimescale, nonFiniteProbe, renderHtmlReport, standardProbes, toJson,
  describeNonFinite, gradientClipProbe, updateRatioProbe, memoryProbe,
} from '@rnnkit/diagnostics';
import { createRng, full, mul, normal, sum, tensor, treeDispose, zeros, type ParamTree } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { train } from './helpers.js';

describe('probes observe without changing training', () => {
  for (const [name, make] of [
    ['tanh RNN', () => rnn({ inputSize: 3, hiddenSize: 8 })],
    ['LSTM', () => lstm({ inputSize: 3, hiddenSize: 8, forgetBias: 1 })],
  ] as const) {
    it(`${name}: the loss trajectory and the parameters after 12 steps are identical bit for bit, and nothing is left live`, async () => {
      const be = createCpuBackend();
      const cell = make();
      const plain = await train(cell, be, () => createRng(11), 12, 7, 5);
      const baseline = be.stats().liveHandles;
      const rng = createRng(11);
      const diag = createDiagnostics(standardProbes({ rng, cell, params: (p) => (p as { cell: ParamTree }).cell, maxNorm: 1, jacobianEvery: 4 }));
      const probed = await train(cell, be, () => createRng(11), 12, 7, 5, diag);
      expect(probed.losses).toEqual(plain.losses);
      probed.params.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(plain.params[i]!)));
      const report = diag.result();
      diag.dispose();
      expect(be.stats().liveHandles).toBe(baseline);
      // Everything was recorded.
      expect(report.trainingSteps).toBe(12);
      expect(report.probes.loss.steps.map((s) => s.loss)).toEqual(plain.losses.map((l) => expect.closeTo(l, 6) as unknown as number));
      expect(report.probes.stateGradNorms.steps).toHaveLength(12);
      expect(report.probes.stateGradNorms.steps[0]!.tracks[0]!.norm).toHaveLength(7);
      expect(report.probes.stateJacobian.steps.map((s) => s.step)).toEqual([0, 4, 8]);
      expect(report.probes.gradientClip.steps).toHaveLength(12);
      expect(report.probes.nonFinite.first).toBeNull();
      expect(report.probes.memory.steps[0]!.bytesByTime).toHaveLength(7);
      expect(Object.keys(report.probes.updateRatio.steps[0]!.ratios)).toContain('cell.weight_hh');
      if (name === 'LSTM') {
        expect(Object.keys(report.probes.gateSaturation.steps[0]!.tracks['0/forward']!)).toEqual(['i', 'f', 'g', 'o']);
        expect(report.probes.forgetGate.steps[0]!.tracks['0/forward']!.gate).toBe('f');
        expect(report.probes.stateNorms.steps[0]!.tracks['0/forward']!.byState['c']).toHaveLength(7);
      } else expect(Object.keys(report.probes.gateSaturation.steps[0]!.tracks['0/forward']!)).toEqual(['preActivation']);
    });
  }
});

describe('gate probes', () => {
  it('read f̄ = σ(b) and the timescale −1/ln σ(b) exactly, and count saturation per gate', async () => {
    const be = createCpuBackend();
    const H = 4;
    const b = 4; // σ(4) ≈ 0.982 > 0.95: every forget gate saturated, i = o = 0.5 and g = 0 not at all
    const bias = new Float64Array(4 * H);
    bias.fill(b, H, 2 * H);
    const cell = lstm({ inputSize: 2, hiddenSize: H, dtype: 'f64' });
    const params = {
      weight_ih: zeros(be, [4 * H, 2], 'f64'), weight_hh: zeros(be, [4 * H, H], 'f64'), bias_ih: tensor(be, bias, [4 * H], 'f64'), bias_hh: zeros(be, [4 * H], 'f64'),
    };
    const xs = normal(createRng(1), be, [5, 3, 2], 0, 1, { dtype: 'f64' });
    const report = await diagnose(
      { gates: gateSaturationProbe(), forget: forgetGateProbe() },
      { params, loss: (p, tap) => {
        const r = scan(cell, p, xs, { tap });
        const l = sum(r.state['h']!);
        treeDispose([r.ys, r.state]);
        return l;
      } },
    );
    const sigma = 1 / (1 + Math.exp(-b));
    const f = report.probes.forget.steps[0]!.tracks['0/forward']!;
    expect(f.mean).toBeCloseTo(sigma, 12);
    expect(f.timescale!).toBeCloseTo(-1 / Math.log(sigma), 9);
    expect(memoryTimescale(sigma)).toBeCloseTo(-1 / Math.log(sigma), 12);
    const g = report.probes.gates.steps[0]!.tracks['0/forward']!;
    expect(g['f']!.saturated).toBe(1);
    expect(g['f']!.high).toBe(1);
    expect(g['i']!.saturated).toBe(0);
    expect(g['g']!.saturated).toBe(0);
    expect(g['o']!.saturated).toBe(0);
    treeDispose([params, xs]);
    expect(be.stats().liveHandles).toBe(0);
  });
});

describe('nonFiniteProbe', () => {
  const setup = (be: ReturnType<typeof createCpuBackend>, poison: 'input' | 'weight') => {
    const cell = rnn({ inputSize: 2, hiddenSize: 3, dtype: 'f64' });
    const params = {
      weight_ih: full(be, [3, 2], 1, 'f64'),
      weight_hh: poison === 'weight' ? full(be, [3, 3], Number.NaN, 'f64') : full(be, [3, 3], 0.1, 'f64'),
      bias_ih: zeros(be, [3], 'f64'),
      bias_hh: zeros(be, [3], 'f64'),
    };
    // x_5 = 1e308 is finite, but x W_ihᵀ = 2e308 overflows to Inf in the pre-activation of step 5.
    const data = new Float64Array(8 * 2 * 2);
    for (let b = 0; b < 2; b++) for (let i = 0; i < 2; i++) data[(5 * 2 + b) * 2 + i] = 1e308;
    const xs = tensor(be, data, [8, 2, 2], 'f64');
    return { cell, params, xs };
  };
  const run = async (poison: 'input' | 'weight') => {
    const be = createCpuBackend();
    const { cell, params, xs } = setup(be, poison);
    const diag = createDiagnostics({ nan: nonFiniteProbe() });
    const { value, grads } = valueAndGrad((p: typeof params) => {
      const r = scan(cell, p, xs, { tap: diag.tap });
      const l = sum(mul(r.ys, 1));
      treeDispose([r.ys, r.state]);
      return l;
    })(params);
    await diag.endStep({ loss: value, params, grads, inputs: xs });
    const result = diag.result().probes.nan;
    diag.dispose();
    treeDispose([value, grads, params, xs]);
    expect(be.stats().liveHandles).toBe(0);
    return result;
  };

  it('names the tensor and time step where an overflow first appears', async () => {
    const r = await run('input');
    expect(r.first).toMatchObject({ step: 0, phase: 'forward', tensor: 'aux.preActivation', t: 5, layer: 0, direction: 'forward' });
    expect(describeNonFinite(r.first!)).toContain("'aux.preActivation' at time step t = 5");
  });

  it('names a poisoned parameter before anything it contaminates', async () => {
    const r = await run('weight');
    expect(r.first).toMatchObject({ phase: 'parameters', tensor: 'weight_hh' });
  });
});

describe('optimiser probes', () => {
  it('count clipped steps and compute ‖Δp‖/‖p‖ per tensor; memory grows with t', async () => {
    const be = createCpuBackend();
    const p = { a: full(be, [4], 2, 'f64'), b: full(be, [2, 2], -1, 'f64') };
    const u = { a: full(be, [4], 0.02, 'f64'), b: full(be, [2, 2], 0.5, 'f64') };
    const diag = createDiagnostics({ clip: gradientClipProbe({ maxNorm: 1 }), ratio: updateRatioProbe(), mem: memoryProbe({ backend: be }) });
    await diag.endStep({ params: p, grads: u, updates: u }); // ‖g‖ = √(4·4e-4 + 4·0.25) ≈ 1.0008 > 1
    const small = { a: full(be, [4], 0.1, 'f64'), b: full(be, [2, 2], 0.1, 'f64') };
    await diag.endStep({ params: p, grads: small, updates: small });
    const r = diag.result().probes;
    expect(r.clip.steps.map((s) => s.clipped)).toEqual([true, false]);
    expect(r.clip.clippedFraction).toBe(0.5);
    expect(r.clip.steps[0]!.norm).toBeCloseTo(Math.sqrt(4 * 4e-4 + 4 * 0.25), 12);
    expect(r.ratio.steps[0]!.ratios['a']).toBeCloseTo(0.01, 12);
    expect(r.ratio.steps[0]!.ratios['b']).toBeCloseTo(0.5, 12);
    expect(r.mem.steps).toHaveLength(2);
    diag.dispose();
    treeDispose([p, u, small]);
    expect(be.stats().liveHandles).toBe(0);
  });
});

describe('reports', () => {
  it('renders a self-contained HTML page with SVG charts, and JSON that round-trips', async () => {
    const be = createCpuBackend();
    const cell = lstm({ inputSize: 3, hiddenSize: 6 });
    const rng = createRng(2);
    const diag = createDiagnostics(standardProbes({ rng, cell, params: (p) => (p as { cell: ParamTree }).cell, maxNorm: 1, jacobianEvery: 2 }), { model: 'LSTM 6', task: 'test' });
    await train(cell, be, () => createRng(2), 5, 6, 4, diag);
    const report = diag.result();
    diag.dispose();
    const html = renderHtmlReport(report, { title: 'LSTM <test>' });
    expect(html).not.toMatch(/https?:/);
    expect(html).not.toMatch(/<script(?![^>]*application\/json)/); // nothing to execute
    expect(html).not.toMatch(/<(link|img|iframe)\b/);
    expect(html).toContain('<svg');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(6);
    expect(html).toContain('LSTM &lt;test&gt;');
    expect(html).toContain('‖∂L/∂s_t‖ by time step over training');
    const parsed = JSON.parse(toJson(report)) as typeof report;
    expect(parsed.format).toBe('rnnkit-diagnostics');
    expect(parsed.probes.stateGradNorms.steps).toHaveLength(5);
    const embedded = /<script type="application\/json" id="report">(.*)<\/script>/s.exec(html)![1]!;
    expect((JSON.parse(embedded) as typeof report).trainingSteps).toBe(5);
  });
});


describe('stacks', () => {
  it('probes every layer and direction of a bidirectional 2-layer GRU through diagnose(), leaving nothing live', async () => {
    const be = createCpuBackend();
    const rng = createRng(6);
    const model = recurrent({ cell: (i) => gru({ inputSize: i, hiddenSize: 5, dtype: 'f64' }), inputSize: 3, numLayers: 2, bidirectional: true });
    const params = model.init(rng, be);
    const xs = normal(rng, be, [6, 4, 3], 0, 1, { dtype: 'f64' });
    const report = await diagnose(standardProbes({ rng, model }), {
      params,
      inputs: xs,
      loss: (p, tap) => {
        const r = model.run(p, xs, { tap });
        const l = sum(r.ys);
        disposeState([r.ys, r.states]);
        return l;
      },
    });
    const j = report.probes.stateJacobian.steps[0]!.tracks;
    expect(j.map((t) => `${t.layer}/${t.direction}`)).toEqual(['0/forward', '0/reverse', '1/forward', '1/reverse']);
    for (const t of j) for (const s of t.sigmaMean) expect(s).toBeGreaterThan(0);
    expect(report.probes.stateGradNorms.steps[0]!.tracks).toHaveLength(4);
    expect(report.probes.forgetGate.steps[0]!.tracks['1/reverse']!.gate).toBe('z');
    disposeState([params, xs]);
    expect(be.stats().liveHandles).toBe(0);
  });
});
