import { HostMemory, type HostHandle, type TypedArray } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import { Resident } from './internal/resident.js';

/** Default bytes of freed storage the backend keeps for reuse. */
export const DEFAULT_POOL_BYTES = 256 * 2 ** 20;

/** This backend's handle accounting: the shared host-memory tracker with a pool, named for its messages. */
export class Memory extends HostMemory {
  constructor(poolBytes = DEFAULT_POOL_BYTES) {
    super('wasm', { poolBytes });
  }

  /** A kernel's result as a handle: a host array, or a result resident in engine memory (its bytes counted). */
  result(x: TypedArray | Resident): WasmHandle {
    return x instanceof Resident ? this.adopt(x, x.length * x.engine.elementBytes) : this.track(x);
  }

  /** A resident result never copied to the host has no array to pool (reading `data` would copy it out). */
  protected override poolable(handle: HostHandle): TypedArray | undefined {
    return handle instanceof Resident && !handle.onHost ? undefined : handle.data;
  }
}
