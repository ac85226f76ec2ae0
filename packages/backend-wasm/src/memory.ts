import { HostMemory } from '@rnnkit/tensor';

/** This backend's handle accounting: the shared host-memory tracker, named for its messages. */
export class Memory extends HostMemory {
  constructor() {
    super('wasm');
  }
}
