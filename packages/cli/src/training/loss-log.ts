/** What a run records for its report: losses by step and the samples it printed. */
export interface RunLog {
  readonly train: { step: number; loss: number; tokensPerSecond: number }[];
  readonly validation: { step: number; loss: number }[];
  readonly samples: { step: number; text: string }[];
}

export function emptyLog(): RunLog {
  return { train: [], validation: [], samples: [] };
}
