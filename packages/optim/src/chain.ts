import { fail, scope, type ParamTree, type Transform } from '@rnnkit/tensor';

/** The state type of a transform. */
export type StateOf<T> = T extends Transform<infer S> ? S : never;

/** The tuple of states of chained transforms, in order. */
export type ChainState<Ts extends readonly Transform<unknown>[]> = { -readonly [K in keyof Ts]: StateOf<Ts[K]> };

/**
 * Applies transforms one after another, each to the previous one's updates:
 * `chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3))`. The state is the tuple
 * of their states, typed element by element.
 */
export function chain<const Ts extends readonly Transform<unknown>[]>(...transforms: Ts): Transform<ChainState<Ts>> {
  return {
    init: (params) => transforms.map((t) => t.init(params)) as ChainState<Ts>,
    update(grads, state, params) {
      if (!Array.isArray(state) || state.length !== transforms.length)
        fail(
          `chain.update: the state ${Array.isArray(state) ? `holds ${state.length} entries` : 'is not an array'} but this chain has ${transforms.length} transforms; ` +
            'it was made by a different optimiser. Pass the state returned by this chain\'s init or last update.',
        );
      // The updates between links are temporaries: the scope frees them, keeping the result.
      return scope(() => {
        let updates: ParamTree = grads;
        const next: unknown[] = [];
        transforms.forEach((t, i) => {
          const [u, s] = t.update(updates, (state as unknown[])[i], params);
          updates = u;
          next.push(s);
        });
        return [updates, next as ChainState<Ts>];
      });
    },
  };
}
