import { fail, type Transform } from '@rnnkit/tensor';

/** The state of a named optimiser: its name travels with the state and into serialised data. */
export interface NamedState<S> {
  readonly optimizer: string;
  readonly inner: S;
}

/** A transform that carries a name (the aliases are named, e.g. 'adamw'). */
export interface NamedTransform<S> extends Transform<NamedState<S>> {
  readonly name: string;
}

/**
 * Tags a transform's state with a name, so a state saved from one optimiser and loaded into
 * another fails with a clear error instead of a confusing one (or, worse, silently).
 */
export function named<S>(name: string, inner: Transform<S>): NamedTransform<S> {
  return {
    name,
    init: (params) => ({ optimizer: name, inner: inner.init(params) }),
    update(grads, state, params) {
      const got = typeof state === 'object' && state !== null ? (state as Partial<NamedState<S>>).optimizer : undefined;
      if (got !== name)
        fail(
          `${name}.update: the state ${typeof got === 'string' ? `belongs to the optimiser '${got}'` : 'is not the state of a named optimiser'}, not '${name}'. ` +
            `Resume with the optimiser that saved it, or start afresh with ${name}(…).init(params).`,
        );
      const [updates, next] = inner.update(grads, state.inner, params);
      return [updates, { optimizer: name, inner: next }];
    },
  };
}
