import { tensor, type Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import {
  adam, adamw, addDecayedWeights, applyUpdates, chain, clipByGlobalNorm, deserializeState, disposeState, identity, scaleByAdam,
  scaleByLearningRate, sgd, rmsprop, serializeState, nesterov,
} from '../src/index.js';
import { backend } from './helpers.js';

const f64 = (data: number[], shape = [data.length]): Tensor => tensor(backend, data, shape, 'f64');

describe('clear errors', () => {
  it('names the path when the gradient tree differs from the parameters', () => {
    const p = { layer: { weight: f64([1, 2]), bias: f64([0]) } };
    const opt = adam();
    const s = opt.init(p);
    expect(() => opt.update({ layer: { weight: f64([1, 2]) } }, s, p)).toThrow(
      "addL2.update: params has an entry 'layer.bias' that grads lacks; grads and params must have the same tree of tensors",
    );
    expect(() => scaleByAdam().update({ layer: { weight: f64([1, 2]) } }, scaleByAdam().init(p))).toThrow(/state.mu has an entry 'layer.bias' that grads lacks/);
    expect(() => opt.update({ layer: { weight: f64([1, 2]), bias: f64([0]), extra: f64([1]) } }, s, p)).toThrow(/params has no entry 'layer.extra', which grads has/);
    expect(() => opt.update({ layer: { weight: f64([1, 2, 3]), bias: f64([0]) } }, s, p)).toThrow(
      /'layer.weight' is \[3\] f64 in grads but \[2\] f64 in params/,
    );
    expect(() => applyUpdates(p, { layer: { weight: f64([1, 2]) } })).toThrow(/applyUpdates: updates has no entry 'layer.bias', which params has/);
    disposeState(s);
  });
  it('rejects negative learning rates', () => {
    expect(() => sgd(-0.1)).toThrow(
      'scaleByLearningRate: the learning rate must be a non-negative finite number or a schedule, got -0.1. Updates are already −lr · direction (the Optax convention); to ascend, negate the loss.',
    );
    expect(() => adam(-1e-3)).toThrow(/got -0.001/);
    expect(() => scaleByLearningRate(NaN)).toThrow(/got NaN/);
  });
  it('rejects bad hyperparameters', () => {
    expect(() => adam(1e-3, { betas: [0.9, 1] })).toThrow('scaleByAdam: betas must lie in [0, 1), got [0.9, 1].');
    expect(() => nesterov(0.1, 0)).toThrow(/Nesterov momentum needs momentum > 0/);
    expect(() => clipByGlobalNorm(0)).toThrow('clipByGlobalNorm: maxNorm must be a positive finite number, got 0.');
    expect(() => addDecayedWeights(-1)).toThrow(/weight decay must be a non-negative finite number, got -1/);
  });
  it('says which optimiser a state belongs to', async () => {
    const p = { w: f64([1, 2]) };
    const a = adam();
    const s = a.init(p);
    expect(() => adamw().update({ w: f64([1, 1]) }, s as never, p)).toThrow(
      "adamw.update: the state belongs to the optimiser 'adam', not 'adamw'. Resume with the optimiser that saved it, or start afresh with adamw(…).init(params).",
    );
    const data = await serializeState(s);
    expect(data.optimizer).toBe('adam');
    expect(() => deserializeState(data, backend, { expect: rmsprop() })).toThrow(
      "deserializeState: the data holds the state of the optimiser 'adam', but 'rmsprop' was expected; resume with the optimiser that saved it, or start afresh with init(params).",
    );
    // Same name, different options: the building block notices.
    expect(() => adam(1e-3, { amsgrad: true }).update({ w: f64([1, 1]) }, s, p)).toThrow(/scaleByAdam.update: the state has no 'nuMax'/);
    expect(() => chain(identity(), identity()).update({ w: f64([1]) }, [{}] as never)).toThrow(/chain.update: the state holds 1 entries but this chain has 2 transforms/);
    expect(() => identity().update({ w: f64([1]) }, { count: 1 } as never)).toThrow(/identity.update: this transform keeps no state, but it was given a state with 'count'/);
    disposeState(s);
  });
  it('asks for params where a transform needs them', () => {
    const p = { w: f64([1]) };
    const t = adamw();
    const s = t.init(p);
    expect(() => t.update({ w: f64([1]) }, s)).toThrow('addDecayedWeights.update: needs the current parameters; call update(grads, state, params).');
    disposeState(s);
  });
  it('rejects data that is not a saved state', () => {
    expect(() => deserializeState({ format: 'other' }, backend)).toThrow(/not a saved optimiser state \(expected format 'rnnkit.optim-state', got "other"\)/);
  });
});
