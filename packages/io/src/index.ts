// @rnnkit/io: checkpoints in the safetensors layout (encode/decode are pure; save/load use node:fs).
export type { SafetensorsEntry } from './encode-safetensors.js';
export { encodeSafetensors } from './encode-safetensors.js';
export type { DecodeSafetensorsOptions, SafetensorsContents } from './decode-safetensors.js';
export { decodeSafetensors } from './decode-safetensors.js';
export type { Checkpoint, CheckpointExpect, LoadCheckpointOptions, ModelConfig } from './checkpoint.js';
export { encodeCheckpoint } from './encode-checkpoint.js';
export type { DecodeCheckpointOptions } from './decode-checkpoint.js';
export { decodeCheckpoint } from './decode-checkpoint.js';
export { disposeCheckpoint } from './dispose-checkpoint.js';
export type { SaveCheckpointOptions, SavedCheckpoint } from './save-checkpoint.js';
export { previousCheckpointPath, saveCheckpoint } from './save-checkpoint.js';
export { loadCheckpoint } from './load-checkpoint.js';
export type { LatestCheckpoint } from './load-latest-checkpoint.js';
export { loadLatestCheckpoint } from './load-latest-checkpoint.js';
