import { HostMemory } from '@rnnkit/tensor';

/** Default bytes of freed storage the backend keeps for reuse. */
export const DEFAULT_POOL_BYTES = 256 * 2 ** 20;

/** This backend's handle accounting: the shared host-memory tracker with a pool, named for its messages. */
export class Memory extends HostMemory {
  constructor(poolBytes = DEFAULT_POOL_BYTES) {
    super('wasm', { poolBytes });
  }
}
