// Pull/push progress for a terminal: one bar per layer redrawn in place on a
// TTY (stderr), or a plain line per layer when it starts and finishes
// otherwise (logs, CI).

import type { WriteStream } from 'node:tty';

export interface ProgressEvent {
  digest: string;
  done: number;
  total: number;
}

function human(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

export class ProgressDisplay {
  private readonly rows: { digest: string; done: number; total: number }[] = [];
  private drawn = 0;
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WritableStream = process.stderr,
    private readonly verb = 'Downloading',
  ) {
    this.tty = Boolean((out as WriteStream).isTTY);
  }

  /** Feed this to onProgress. */
  readonly update = (p: ProgressEvent): void => {
    let row = this.rows.find((r) => r.digest === p.digest);
    if (!row) {
      row = { digest: p.digest, done: 0, total: p.total };
      this.rows.push(row);
      if (!this.tty) this.out.write(`${p.digest.slice(7, 19)}: ${this.verb} ${human(p.total)}\n`);
    }
    const wasDone = row.done >= row.total && row.total > 0;
    row.done = p.done;
    if (!this.tty) {
      if (!wasDone && p.done >= p.total) this.out.write(`${p.digest.slice(7, 19)}: ${this.verb === 'Downloading' ? 'Pull' : 'Push'} complete\n`);
      return;
    }
    const now = Date.now();
    if (p.done < p.total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw();
  };

  private draw(): void {
    const width = 30;
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const r of this.rows) {
      const frac = r.total > 0 ? Math.min(1, r.done / r.total) : 1;
      const fill = Math.round(frac * width);
      const bar = '='.repeat(Math.max(0, fill - 1)) + (fill > 0 ? (frac >= 1 ? '=' : '>') : '') + ' '.repeat(width - fill);
      const state = frac >= 1 ? `${this.verb === 'Downloading' ? 'Pull' : 'Push'} complete` : `${this.verb} [${bar}] ${human(r.done)}/${human(r.total)}`;
      s += `\x1b[2K${r.digest.slice(7, 19)}: ${state}\n`;
    }
    this.drawn = this.rows.length;
    this.out.write(s);
  }

  /** Final redraw so every bar shows its end state. */
  finish(): void {
    if (this.tty && this.rows.length > 0) this.draw();
  }
}
