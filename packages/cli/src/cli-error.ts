/** A user-facing failure: printed as one line (no stack trace) and exits non-zero. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function usage(message: string): never {
  throw new CliError(`${message} (see rnnkit --help)`, 2);
}
