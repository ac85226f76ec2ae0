import { RnnkitError } from '@rnnkit/tensor';

/** A conversion that cannot be exact; `reason` says why. */
export class ConversionRefused extends RnnkitError {
  override name = 'ConversionRefused';
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`${target}: conversion refused: ${reason}`);
  }
}

export function refuse(target: string, reason: string): never {
  throw new ConversionRefused(target, reason);
}

/** The layout of a file or model is wrong: a missing tensor, a bad shape, an unknown format. */
export class InteropFormatError extends RnnkitError {
  override name = 'InteropFormatError';
}

export function formatError(message: string): never {
  throw new InteropFormatError(message);
}
