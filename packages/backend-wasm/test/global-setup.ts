// Vitest global setup: (re)builds src/generated/kernels-*.ts when assembly/ is newer, so tests
// always run the WebAssembly compiled from the sources in this checkout (a no-op when up to date).
import { buildWasm } from '../scripts/build-wasm.mjs';

export async function setup(): Promise<void> {
  await buildWasm();
}
