#!/usr/bin/env node
// Usage: node tools/ci/summary.mjs <vitest-json-report> [vitest-exit-code]
// Prints exactly one final line "N passed, N failed, N skipped" and exits non-zero if any
// test failed, vitest exited non-zero, the report is missing/unreadable, or nothing passed.
import fs from 'node:fs';

const [file, rcArg = '0'] = process.argv.slice(2);
const vitestRc = Number(rcArg) || 0;
let passed = 0;
let failed = 0;
let skipped = 0;
const why = [];

try {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if ((r.numFailedTestSuites ?? 0) > 0) why.push(`${r.numFailedTestSuites} test suite(s) failed`);
  if (r.success === false && failed === 0 && !why.length) why.push('vitest reported success: false');
} catch (err) {
  why.push(`cannot read vitest report ${file}: ${err instanceof Error ? err.message : String(err)}`);
}
if (failed > 0) why.push(`${failed} test(s) failed`);
if (vitestRc !== 0) why.push(`vitest exited with ${vitestRc}`);
if (passed === 0) why.push('no test passed');
const ok = why.length === 0;

if (!ok) console.error(`summary: FAILED: ${why.join('; ')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok ? 0 : 1);
