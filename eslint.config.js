// ESLint flat config: typed typescript-eslint rules + package boundaries.
// Boundaries come from tools/boundaries.js (the single source of truth):
//   packages/<pkg>/src/**  may import only the @rnnkit packages listed for <pkg>;
//   packages/<pkg>/test/** may import <pkg> itself and its declared (dev/peer) deps.
import fs from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { SCOPE, allowedImports, boundaries, boundaryMessage } from './tools/boundaries.js';

const root = import.meta.dirname;
const packagesDir = path.join(root, 'packages');

/** Every package in the boundaries table plus every folder under packages/. */
const packageDirs = [
  ...new Set([
    ...Object.keys(boundaries),
    ...fs
      .readdirSync(packagesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name),
  ]),
].sort();

/** Relative imports that climb into another package's folder, e.g. '../../nn/src/linear.ts'. */
const crossPackageRelative = {
  regex: '^(\\.\\./)+(packages/)?[\\w.-]+/(src|dist|test)(/|$)',
  message: 'Import other rnnkit packages by their @rnnkit/* name, never by a relative path into their folder.',
};

/**
 * @param {string[]} allowed package folder names that may be imported
 * @param {string} message
 */
function restrictRnnkit(allowed, message) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            // Everything in the scope, minus the allowed roots. Subpaths (@rnnkit/x/y)
            // are never allowed: packages export only '.'.
            group: [`${SCOPE}*`, ...allowed.map((p) => `!${SCOPE}${p}`)],
            message,
          },
          { group: [`${SCOPE}*/**`], message: 'Import @rnnkit packages by their root name only (no deep imports).' },
          crossPackageRelative,
        ],
      },
    ],
  };
}

/** The @rnnkit deps a package declares, for its tests. */
function declaredRnnkitDeps(dir) {
  const file = path.join(packagesDir, dir, 'package.json');
  if (!fs.existsSync(file)) return [];
  const pj = JSON.parse(fs.readFileSync(file, 'utf8'));
  const names = new Set();
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const name of Object.keys(pj[field] ?? {})) {
      if (name.startsWith(SCOPE)) names.add(name.slice(SCOPE.length));
    }
  }
  return [...names];
}

const boundaryConfigs = packageDirs.flatMap((dir) => {
  const allowed = allowedImports(dir) ?? [];
  const testAllowed = [dir, ...declaredRnnkitDeps(dir)];
  return [
    {
      name: `rnnkit/boundaries/${dir}/src`,
      files: [`packages/${dir}/src/**/*.{ts,tsx,mts,cts,js,mjs}`],
      rules: restrictRnnkit(allowed, boundaryMessage(dir)),
    },
    {
      name: `rnnkit/boundaries/${dir}/test`,
      files: [`packages/${dir}/test/**/*.{ts,tsx,mts,cts,js,mjs}`],
      rules: restrictRnnkit(
        testAllowed,
        `tests of ${SCOPE}${dir} may import only ${testAllowed.map((p) => SCOPE + p).join(', ')} ` +
          `(the package and its declared dependencies; add a devDependency first)`,
      ),
    },
  ];
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.nx/**', '**/*.bundled_*'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Contracts (Backend, Cell, Transform) are plain objects whose methods never use `this`.
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports only (house style: no default exports).' },
      ],
    },
  },
  {
    // Config files and tools/ sit outside every package tsconfig: no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.config.ts', 'tools/**/*.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.config.ts', 'tools/**'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
    rules: { 'no-restricted-syntax': 'off' },
  },
  ...boundaryConfigs,
);
