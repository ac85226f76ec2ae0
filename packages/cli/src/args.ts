import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usage } from './cli-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses flags strictly: an unknown flag or a missing value is a one-line usage error. */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    return usage(`rnnkit ${command}: ${msg.replace(/^Unknown option/, 'unknown flag').replace(/\. To specify a positional argument.*$/, '')}`);
  }
}

/** A number flag: integer or not, with bounds; names the flag and the bad value. */
export function numberFlag(name: string, raw: string | undefined, fallback: number, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) usage(`--${name} must be a number, got '${raw}'`);
  if (opts.integer && !Number.isInteger(v)) usage(`--${name} must be a whole number, got '${raw}'`);
  if (opts.min !== undefined && v < opts.min) usage(`--${name} must be at least ${opts.min}, got ${raw}`);
  if (opts.max !== undefined && v > opts.max) usage(`--${name} must be at most ${opts.max}, got ${raw}`);
  return v;
}

export function choiceFlag<C extends string>(name: string, raw: string | undefined, choices: readonly C[], fallback: C): C {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) usage(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  return raw as C;
}

/** Durations like 300, 300s, 5m, 1h → seconds. */
export function durationFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(raw.trim());
  if (!m) usage(`--${name} must be a duration like 300, 90s, 5m or 1h, got '${raw}'`);
  return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
}
