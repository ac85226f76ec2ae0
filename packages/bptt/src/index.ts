// Running cells over sequences: scan, variable lengths, stacks, bidirectional, truncated BPTT, checkpointing.
export type { ScanOptions, ScanResult } from './sequence-options.js';
export { scan } from './scan.js';
export type { Direction, Recurrent, RecurrentOptions, RecurrentParams, RecurrentStates, RunOptions } from './recurrent.js';
export { recurrent } from './recurrent.js';
export type { Window } from './windows.js';
export { segments, truncatedWindows } from './windows.js';
export type { SegmentedOptions, TruncatedOptions, WindowLoss } from './long-sequence.js';
export { segmentedBptt, truncatedBptt } from './long-sequence.js';
export { gradTap } from './grad-tap.js';
