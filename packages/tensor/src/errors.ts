/**
 * Every error rnnkit throws on bad input. Messages are sentences that name the op, the shapes,
 * dtypes or values involved, and what to do about it.
 */
export class RnnkitError extends Error {
  override name = 'RnnkitError';
}

/** Formats a shape the way messages print it: `[2, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function fail(message: string): never {
  throw new RnnkitError(message);
}
