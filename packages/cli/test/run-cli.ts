import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/** Runs the rnnkit command from source, as a user would run the installed bin. */
export function rnnkit(args: string[], options: { timeout?: number } = {}) {
  const r = spawnSync(tsx, ['--conditions=@rnnkit/source', 'src/cli.ts', ...args], {
    cwd: pkg,
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
