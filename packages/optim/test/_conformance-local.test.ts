import { createCpuBackend } from '@rnnkit/backend-cpu';
import type { Transform } from '@rnnkit/tensor';
import { describeOptimizerConformance, type OptimizerConformanceOptions } from '../../testing/src/optimizer-conformance.js';
import {
  adadelta, adagrad, adam, adamax, adamw, amsgrad, chain, cosineDecay, deserializeState, identity, momentum, nesterov, rmsprop, serializeState, sgd,
} from '../src/index.js';

const backend = createCpuBackend();

// Learning rates and budgets per alias. Rosenbrock is the classic valley (b = 100, from (−1.2, 1))
// except where noted; budgets are about 1.5× the steps each alias needed when tuned.
const cases: (Pick<OptimizerConformanceOptions, 'name' | 'quadratic' | 'rosenbrock'> & { make: () => Transform<unknown> })[] = [
  { name: 'sgd', make: () => sgd(0.3), quadratic: { steps: 100 }, rosenbrock: { make: () => sgd(0.002), steps: 8000 } },
  { name: 'momentum', make: () => momentum(0.1), quadratic: { steps: 200 }, rosenbrock: { make: () => momentum(0.002), steps: 1500 } },
  { name: 'nesterov', make: () => nesterov(0.3), quadratic: { steps: 100 }, rosenbrock: { make: () => nesterov(0.001), steps: 2000 } },
  { name: 'adam', make: () => adam(0.1), quadratic: { steps: 300 }, rosenbrock: { make: () => adam(0.01), steps: 6000 } },
  // Decoupled decay moves the minimiser of the loss; a small decay keeps it within 1e-2 of (1, 1).
  { name: 'adamw', make: () => adamw(0.1), quadratic: { steps: 300 }, rosenbrock: { make: () => adamw(0.01, { weightDecay: 1e-4 }), steps: 6000 } },
  { name: 'adamax', make: () => adamax(0.3), quadratic: { steps: 300 }, rosenbrock: { make: () => adamax(0.3), steps: 3000 } },
  { name: 'amsgrad', make: () => amsgrad(0.1), quadratic: { steps: 300 }, rosenbrock: { make: () => amsgrad(0.3), steps: 1500 } },
  { name: 'rmsprop', make: () => rmsprop(0.01), quadratic: { steps: 600 }, rosenbrock: { make: () => rmsprop(0.003), steps: 7000 } },
  { name: 'rmsprop centered momentum', make: () => rmsprop(0.01, { centered: true, momentum: 0.9 }), quadratic: { steps: 600 }, rosenbrock: { make: () => rmsprop(0.001, { centered: true, momentum: 0.9 }), steps: 7000 } },
  { name: 'adagrad', make: () => adagrad(0.3), quadratic: { steps: 300 }, rosenbrock: { make: () => adagrad(0.5), steps: 9000 } },
  // Adadelta with a fixed lr crawls along the b = 100 valley and hovers around the minimum of milder
  // ones; a cosine-decayed lr on b = 10 from (0, 0) converges (and exercises schedules on the way).
  {
    name: 'adadelta',
    make: () => adadelta(1),
    quadratic: { steps: 1200 },
    rosenbrock: { make: () => adadelta(cosineDecay({ init: 1, steps: 3000 })), steps: 3000, b: 10, start: [0, 0] },
  },
];

for (const c of cases) {
  describeOptimizerConformance({
    ...c,
    backend: () => backend,
    compose: { chain, identity },
    serialization: { serialize: serializeState, deserialize: deserializeState },
  });
}
