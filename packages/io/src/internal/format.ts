/** Metadata keys and entry-name prefixes of the rnnkit checkpoint layout (version 1). */
export const FORMAT = 'rnnkit.checkpoint';
export const VERSION = '1';
export const KEYS = {
  format: 'rnnkit.format',
  version: 'rnnkit.version',
  params: 'rnnkit.params',
  optimizer: 'rnnkit.optimizer',
  rng: 'rnnkit.rng',
  step: 'rnnkit.step',
  vocab: 'rnnkit.vocab',
  config: 'rnnkit.config',
  dataPosition: 'rnnkit.data_position',
  recurrentState: 'rnnkit.recurrent_state',
  extra: 'rnnkit.extra',
} as const;
export const OPTIMIZER_PREFIX = 'optimizer/';
export const STATE_PREFIX = 'recurrent_state/';
