import { tensorsIn } from '@rnnkit/tensor';

/**
 * Frees every tensor of an optimiser state. `update` never frees its inputs, so a training loop
 * disposes the previous state once the next one exists (states never share tensors).
 */
export function disposeState(state: unknown): void {
  for (const t of tensorsIn(state)) t.dispose();
}
