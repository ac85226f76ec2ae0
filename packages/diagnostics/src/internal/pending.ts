import { type Tensor } from '@rnnkit/tensor';

/**
 * Small device tensors a probe computed during a step, waiting to be read back. Reads are async
 * by contract, so taps only queue work; `flush()` (from a probe's endStep) reads them all at once
 * and frees them.
 */
export class Pending {
  #items: { tensor: Tensor; use: (values: Float64Array) => void }[] = [];

  add(tensor: Tensor, use: (values: Float64Array) => void): void {
    this.#items.push({ tensor, use });
  }

  get size(): number {
    return this.#items.length;
  }

  async flush(): Promise<void> {
    const items = this.#items;
    this.#items = [];
    try {
      const values = await Promise.all(items.map((i) => i.tensor.read()));
      items.forEach((item, k) => item.use(Float64Array.from(values[k]! as ArrayLike<number>)));
    } finally {
      for (const i of items) i.tensor.dispose();
    }
  }

  /** Frees everything queued without reading it. */
  clear(): void {
    for (const i of this.#items) i.tensor.dispose();
    this.#items = [];
  }
}
