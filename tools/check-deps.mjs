#!/usr/bin/env node
// Checks every packages/*/package.json against tools/boundaries.js:
//  1. each package is listed in the boundaries table;
//  2. its dependencies / peerDependencies / optionalDependencies on @rnnkit/* are allowed
//     for its src/ by the table (devDependencies are for tests and may list more);
//  3. no package lists, in any dependency field (devDependencies included), a package that
//     depends on it, directly or through others (nx refuses such cycles);
//  4. workspace ranges: @rnnkit peerDependencies use "workspace:^", devDependencies and
//     dependencies use "workspace:*"; every @rnnkit peerDependency is also a devDependency
//     (so it is installed in the workspace), and a private package is never depended on by a
//     published one.
// Exit 1 with one line per problem.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCOPE, allowedImports, boundaries } from './boundaries.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = path.join(root, 'packages');
const FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];

const pkgs = new Map(); // dir -> package.json
for (const d of fs.readdirSync(packagesDir, { withFileTypes: true })) {
  const file = path.join(packagesDir, d.name, 'package.json');
  if (d.isDirectory() && fs.existsSync(file)) pkgs.set(d.name, JSON.parse(fs.readFileSync(file, 'utf8')));
}

const problems = [];
const byName = new Map([...pkgs].map(([dir, pj]) => [pj.name, dir]));
const edges = new Map(); // dir -> Set<dir> (all fields)

for (const [dir, pj] of pkgs) {
  const where = `packages/${dir}/package.json`;
  if (pj.name !== SCOPE + dir) problems.push(`${where}: name is "${pj.name}", expected "${SCOPE}${dir}"`);
  if (!(dir in boundaries)) {
    problems.push(`${where}: ${SCOPE}${dir} is not listed in tools/boundaries.js; add it there first`);
  }
  const allowed = new Set(allowedImports(dir) ?? []);
  const out = new Set();
  edges.set(dir, out);
  for (const field of FIELDS) {
    for (const [name, range] of Object.entries(pj[field] ?? {})) {
      if (!name.startsWith(SCOPE)) continue;
      const target = name.slice(SCOPE.length);
      if (!byName.has(name)) {
        problems.push(`${where}: ${field} lists ${name}, which is not a package in packages/`);
        continue;
      }
      out.add(target);
      if (target === dir) problems.push(`${where}: ${field} lists the package itself`);
      if (field !== 'devDependencies' && !allowed.has(target)) {
        const list = [...allowed].map((p) => SCOPE + p).join(', ') || 'no other @rnnkit package';
        problems.push(`${where}: ${field} lists ${name}, but ${SCOPE}${dir} may depend only on ${list} (tools/boundaries.js)`);
      }
      const want = field === 'peerDependencies' ? 'workspace:^' : 'workspace:*';
      if (range !== want) problems.push(`${where}: ${field}["${name}"] is "${range}", expected "${want}"`);
      if (field === 'peerDependencies' && !(pj.devDependencies ?? {})[name]) {
        problems.push(`${where}: peerDependency ${name} should also be a devDependency ("workspace:*")`);
      }
      if (!pj.private && field !== 'devDependencies' && pkgs.get(target)?.private) {
        problems.push(`${where}: published package depends on private ${name}`);
      }
    }
  }
}

// Cycles over all dependency fields (devDependencies included).
const state = new Map(); // dir -> 'visiting' | 'done'
const stack = [];
function visit(dir) {
  state.set(dir, 'visiting');
  stack.push(dir);
  for (const next of edges.get(dir) ?? []) {
    if (state.get(next) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(next)), next].map((p) => SCOPE + p).join(' -> ');
      problems.push(`dependency cycle (package.json, any field): ${cycle}`);
    } else if (!state.has(next)) {
      visit(next);
    }
  }
  stack.pop();
  state.set(dir, 'done');
}
for (const dir of [...pkgs.keys()].sort()) if (!state.has(dir)) visit(dir);

if (problems.length > 0) {
  for (const p of problems) console.error(`check-deps: ${p}`);
  console.error(`check-deps: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-deps: ${pkgs.size} packages OK`);
