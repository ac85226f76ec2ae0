/**
 * How a loss turns per-item losses into its result: `'mean'` over the valid items (a 0-d tensor),
 * `'sum'` over them (0-d), or `'none'` (one loss per item, 0 at items a mask or ignore index excludes).
 */
export type Reduction = 'mean' | 'sum' | 'none';
