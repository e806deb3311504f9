import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { ScanError } from './types.js';

/** Past this, a file is generated data or a bundle, not code someone maintains by hand. */
export const MAX_FILE_BYTES = 1024 * 1024;
/**
 * Minified: a file of some size whose lines are long on average. Never one long line alone: a
 * readable bundle often carries an inline source map, a data URI or a generated table on one line.
 */
const MINIFIED_MIN_BYTES = 4096;
const MINIFIED_AVERAGE_LINE = 500;

const decoder = new TextDecoder('utf-8', { fatal: true });

export type SourceRead = { ok: true; text: string } | { ok: false; error: Omit<ScanError, 'file'> };

function fail(file: string, kind: ScanError['kind'], message: string, skipped: boolean): SourceRead {
  return { ok: false, error: { path: file, kind, message, skipped } };
}

/** Strips a byte-order mark: ESLint does, so offsets and columns agree between the two fronts. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads a file to analyse, or says why not. Only regular files are opened (a FIFO would block),
 * size is checked on the open descriptor before reading, NUL bytes or invalid UTF-8 mean binary,
 * and minified code is left alone. A file gone since it was listed has `vanished`.
 */
export function readSource(file: string, { minified: checkMinified = true }: { minified?: boolean } = {}): SourceRead {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    if (code === 'ENOENT') return fail(file, 'vanished', 'file disappeared during the scan', false);
    if (code === 'ELOOP') return fail(file, 'symlink-loop', 'skipped: symbolic link loop', true);
    return fail(file, 'unreadable', `cannot read file (${code}: ${(error as Error).message.replace(/^[A-Z]+: /, '')})`, false);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return fail(file, 'unreadable', 'skipped: not a regular file', true);
    if (stats.size > MAX_FILE_BYTES) {
      return fail(file, 'too-large', `skipped: file is too large (${stats.size} bytes, limit ${MAX_FILE_BYTES})`, true);
    }
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    const bytes = buffer.subarray(0, read);
    if (bytes.includes(0)) return fail(file, 'binary', 'skipped: binary file (contains NUL bytes)', true);
    let text: string;
    try {
      text = stripBom(decoder.decode(bytes));
    } catch {
      return fail(file, 'binary', 'skipped: not UTF-8 text', true);
    }
    const minified = checkMinified ? minifiedReason(file, text) : undefined;
    if (minified) return fail(file, 'minified', `skipped: minified file (${minified})`, true);
    return { ok: true, text };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return fail(file, 'unreadable', `cannot read file (${code})`, false);
  } finally {
    closeSync(fd);
  }
}

function minifiedReason(file: string, text: string): string | undefined {
  if (/\.min\.[cm]?js$/i.test(path.basename(file))) return 'named *.min.js';
  if (text.length < MINIFIED_MIN_BYTES) return undefined;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  if (text.length / lines > MINIFIED_AVERAGE_LINE) {
    return `${Math.round(text.length / lines)} characters per line on average`;
  }
  return undefined;
}
