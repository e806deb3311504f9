import { readFileSync } from 'node:fs';
import { readSource, stripBom, type SourceRead } from '../scan/source.js';

/** PEP 263: `# -*- coding: latin-1 -*-` (or `# vim: set fileencoding=...`) on one of the first two lines. */
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** The encoding a Python file declares, if any, lower-cased (`utf-8` for the `utf8` and `utf-8-sig` spellings). */
export function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 400)).toString('latin1').split(/\r?\n/).slice(0, 2);
  for (const line of head) {
    const match = CODING.exec(line);
    if (match) {
      const name = match[1]!.toLowerCase();
      return /^utf[-_]?8(?:[-_]sig)?$/.test(name) ? 'utf-8' : name;
    }
    // The declaration only counts on the second line if the first is a comment or blank.
    if (!/^[ \t\f]*(?:#.*)?$/.test(line)) break;
  }
  return undefined;
}

/** Python's codec names that WHATWG's TextDecoder spells otherwise (`cp1252` is `windows-1252`). */
function whatwgLabel(encoding: string): string {
  const name = encoding.replace(/_/g, '-');
  const cp = /^(?:cp|windows-?)(\d{3,4})$/.exec(name);
  if (cp) return cp[1]!.length === 4 ? `windows-${cp[1]}` : `ibm${cp[1]}`;
  const iso = /^iso-?8859-?(\d+)$/.exec(name);
  if (iso) return `iso-8859-${iso[1]}`;
  return name;
}

function decodeAs(bytes: Uint8Array, encoding: string): string | undefined {
  const name = encoding.replace(/_/g, '-');
  // Latin-1 and ASCII byte for byte, as Python decodes them (WHATWG's TextDecoder maps both to windows-1252).
  if (['latin-1', 'latin1', 'l1', 'iso-8859-1', 'iso8859-1', '8859', 'cp819', 'ascii', 'us-ascii', '646'].includes(name)) {
    if (name.includes('ascii') || name === '646') if (bytes.some((b) => b > 0x7f)) return undefined;
    let text = '';
    for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return stripBom(text);
  }
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(whatwgLabel(encoding), { fatal: true });
  } catch {
    return undefined;
  }
  try {
    return stripBom(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}

/**
 * Reads a Python file as Python does: UTF-8 unless the file declares another encoding (PEP 263),
 * with the scanner's checks for size, binary content and minified code. An encoding Node cannot
 * decode, or bytes that are not valid in the declared one, are an `errors` entry.
 */
export function readPythonSource(file: string): SourceRead {
  const read = readSource(file);
  if (read.ok || read.error.kind !== 'binary' || !read.error.message.includes('not UTF-8')) return read;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return read;
  }
  const encoding = declaredEncoding(bytes);
  if (encoding === undefined || encoding === 'utf-8') {
    return { ok: false, error: { ...read.error, message: 'skipped: not UTF-8 text, and no other encoding declared (PEP 263)' } };
  }
  const text = decodeAs(bytes, encoding);
  if (text === undefined) return { ok: false, error: { ...read.error, message: `skipped: not valid ${encoding} text (the encoding it declares), or an encoding loop-audit cannot decode` } };
  return { ok: true, text };
}

/** The text of a Python file as the scanner analysed it, or undefined: for fingerprints and code frames. */
export function readPythonText(file: string): string | undefined {
  const read = readPythonSource(file);
  return read.ok ? read.text : undefined;
}
