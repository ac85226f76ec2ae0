/** What a run records for its report: losses by step and the samples it printed. */
export interface RunLog {
  /** What the loss measures, for chart axes. */
  readonly unit: string;
  readonly train: { step: number; loss: number; tokensPerSecond: number }[];
  readonly validation: { step: number; loss: number }[];
  readonly samples: { step: number; text: string }[];
}

export function emptyLog(unit = 'cross-entropy (nats/char)'): RunLog {
  return { unit, train: [], validation: [], samples: [] };
}
