/** A one-line progress bar on stderr: redrawn in place on a terminal, a line every few seconds otherwise. */
export interface Progress {
  update(done: number, fields: Record<string, string>): void;
  log(line: string): void;
  finish(fields?: Record<string, string>): void;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const start = Date.now();
  const tty = Boolean(stream.isTTY);
  let lastPlain = 0;
  let last = '';
  const render = (done: number, fields: Record<string, string>) => {
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (Date.now() - start) / 1000;
    const eta = frac > 0 ? elapsed / frac - elapsed : NaN;
    const extras = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join('  ');
    return `${label} [${'█'.repeat(filled)}${'·'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${extras}  ETA ${formatSeconds(eta)}`;
  };
  return {
    update(done, fields) {
      last = render(done, fields);
      if (tty) stream.write(`\r\x1b[2K${last}`);
      else if (Date.now() - lastPlain > 5000) {
        lastPlain = Date.now();
        stream.write(`${last}\n`);
      }
    },
    log(line) {
      stream.write(tty ? `\r\x1b[2K${line}\n${last}` : `${line}\n`);
    },
    finish(fields) {
      if (fields) last = render(total, fields);
      stream.write(tty ? `\r\x1b[2K${last}\n` : `${last}\n`);
    },
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
