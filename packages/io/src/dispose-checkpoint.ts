import { tensorsIn } from '@rnnkit/tensor';
import type { Checkpoint } from './checkpoint.js';

/** Frees every tensor of a checkpoint: parameters, optimiser state and recurrent state. */
export function disposeCheckpoint(checkpoint: Checkpoint): void {
  for (const t of tensorsIn([checkpoint.params, checkpoint.optimizer, checkpoint.recurrentState])) t.dispose();
}
