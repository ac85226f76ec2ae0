import { defaultClientConditions, defaultServerConditions, mergeConfig } from 'vite';
import { defineProject, type ViteUserConfig } from 'vitest/config';

/**
 * Shared vitest project config. Each packages/<name>/vitest.config.ts is
 *   import { rnnkitProject } from '../../tools/vitest.project.ts';
 *   export default rnnkitProject('<name>');
 *
 * '@rnnkit/source' makes workspace imports resolve to packages/<dep>/src/index.ts,
 * so tests need no build. Node-environment tests read ssr.resolve.conditions
 * (resolve.conditions alone is not enough); setting them replaces Vite's defaults,
 * hence the spread of the default conditions.
 */
export function rnnkitProject(name: string, overrides: ViteUserConfig = {}) {
  return mergeConfig(
    defineProject({
      resolve: { conditions: ['@rnnkit/source', ...defaultClientConditions] },
      ssr: { resolve: { conditions: ['@rnnkit/source', ...defaultServerConditions] } },
      test: {
        name,
        environment: 'node',
        include: ['test/**/*.test.ts'],
        typecheck: { include: ['test/**/*.test-d.ts'] },
      },
    }),
    overrides,
  );
}
