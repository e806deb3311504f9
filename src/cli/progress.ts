import type { ScanProgress } from '../scan/types.js';

/** Scans shorter than this finish before a bar would help; drawing one would only flicker. */
const SHOW_AFTER_MS = 400;
const REDRAW_EVERY_MS = 80;
const BAR_WIDTH = 24;

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

/**
 * A one-line progress bar on stderr, for interactive terminals only: never in a pipe, a file or
 * CI logs (where `\r` redraws turn into noise), never on stdout (which carries the report).
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly stream: ProgressStream) {}

  static enabled(stream: ProgressStream, quiet: boolean): boolean {
    return !quiet && stream.isTTY === true && !process.env.CI;
  }

  update = (event: ScanProgress): void => {
    const now = Date.now();
    if (event.phase === 'done') {
      this.clear();
      return;
    }
    if (now - this.started < SHOW_AFTER_MS) return;
    if (event.phase === 'analyze' && event.done < event.total && now - this.lastDraw < REDRAW_EVERY_MS) return;
    this.lastDraw = now;
    this.draw(this.line(event));
  };

  private line(event: Exclude<ScanProgress, { phase: 'done' }>): string {
    switch (event.phase) {
      case 'discover':
        return `loop-audit: found ${event.files} files`;
      case 'program':
        return `loop-audit: building the TypeScript program for ${event.project} (${event.files} root files)`;
      case 'analyze': {
        const ratio = event.total === 0 ? 1 : event.done / event.total;
        const filled = Math.round(ratio * BAR_WIDTH);
        return `loop-audit [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${event.done}/${event.total} ${event.file}`;
      }
    }
  }

  private draw(text: string): void {
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const shown = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.stream.write(`\r\u001b[K${shown}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[K');
    this.drawn = false;
  }
}
