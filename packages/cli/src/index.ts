// The models and helpers behind the `rnnkit` command, for programs that want the same behaviour.
export type { CellKind, CharModel, CharModelConfig, CharParams, CharStates } from './char-model.js';
export { charModel } from './char-model.js';
export type { SeriesModel, SeriesModelConfig, SeriesParams } from './series-model.js';
export { seriesModel } from './series-model.js';
export type { SampleOptions, TextCodec } from './sampling.js';
export { sampleText } from './sampling.js';
export { alphabeticTokens, wordShare } from './word-check.js';
