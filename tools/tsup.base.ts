import { defineConfig, type Options } from 'tsup';

/**
 * Shared tsup config for every published @rnnkit package: one ESM entry
 * (src/index.ts) -> dist/index.js + dist/index.d.ts + sourcemap.
 * Dependencies and peerDependencies (e.g. other @rnnkit packages) stay external.
 *
 * Usage, in packages/<name>/tsup.config.ts:
 *   import { tsupConfig } from '../../tools/tsup.base.ts';
 *   export default tsupConfig();
 */
export function tsupConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    ...overrides,
  });
}
