// Single source of truth for package boundaries (docs/architecture.md, "Packages").
// Key: the folder under packages/ (= the name after '@rnnkit/').
// Value: the other @rnnkit packages that this package's src/ may import, or '*' for any.
// Used by eslint.config.js (no-restricted-imports on packages/<pkg>/src/**) and by
// tools/check-deps.mjs (dependencies / peerDependencies in package.json).
// A package that is not listed here fails tools/check-deps.mjs: add it here first.

/** @type {Record<string, readonly string[] | '*'>} */
export const boundaries = {
  tensor: [],
  autograd: ['tensor'],
  'backend-cpu': ['tensor'],
  'backend-wasm': ['tensor'],
  'backend-webgpu': ['tensor'],
  cells: ['tensor', 'autograd'],
  nn: ['tensor', 'autograd'],
  bptt: ['tensor', 'autograd', 'cells', 'nn'],
  optim: ['tensor'],
  diagnostics: ['tensor', 'autograd', 'optim', 'cells', 'bptt'],
  data: ['tensor'],
  io: ['tensor', 'cells', 'nn', 'optim', 'data'],
  interop: ['tensor', 'cells', 'nn', 'bptt', 'io'],
  testing: ['tensor', 'autograd'],
  cli: '*',
  bench: '*',
  integration: '*',
  examples: '*',
};

export const SCOPE = '@rnnkit/';

/** @param {string} pkg folder name */
export function allowedImports(pkg) {
  const allowed = boundaries[pkg];
  if (allowed === undefined) return undefined;
  if (allowed === '*') return Object.keys(boundaries).filter((p) => p !== pkg);
  return [...allowed];
}

/** @param {string} pkg folder name */
export function boundaryMessage(pkg) {
  const allowed = boundaries[pkg];
  if (allowed === undefined) {
    return `${SCOPE}${pkg} is not in tools/boundaries.js; add it there (see docs/architecture.md)`;
  }
  if (allowed === '*') return `${SCOPE}${pkg} may import any ${SCOPE}* package`;
  if (allowed.length === 0) {
    return `${SCOPE}${pkg} may import no other ${SCOPE}* package (see docs/architecture.md)`;
  }
  return `${SCOPE}${pkg} may import only ${allowed.map((p) => SCOPE + p).join(', ')} (see docs/architecture.md)`;
}
