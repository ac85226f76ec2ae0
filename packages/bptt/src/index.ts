// Running cells over sequences: scan, variable lengths, stacks, bidirectional, truncated BPTT, checkpointing.
export type { ScanOptions, ScanResult } from './sequence-options.js';
export { scan } from './scan.js';
export { gradTap } from './grad-tap.js';
