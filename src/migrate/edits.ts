import type { TS, TypeScriptApi } from '../core/types.js';

/**
 * One change to a file's original text. Zero-width edits are insertions; at the same offset they
 * are applied in the order they were added (`order` breaks ties), before a replacement that
 * starts there.
 */
export interface Edit {
  start: number;
  end: number;
  text: string;
  order: number;
}

export class EditConflictError extends Error {
  override name = 'EditConflictError';
}

/**
 * The edits planned for one file, all against its original text. A migration touches a file
 * from several places (call sites, the functions made async, imports, deleted wrappers), so
 * edits are collected first and applied once: deletions swallow the edits inside them, and two
 * replacements that overlap are a bug in the plan, reported rather than guessed at.
 */
export class FileEdits {
  private readonly edits: Edit[] = [];
  private counter = 0;

  constructor(readonly text: string) {}

  get size(): number {
    return this.edits.length;
  }

  insert(position: number, text: string): void {
    if (text !== '') this.edits.push({ start: position, end: position, text, order: this.counter++ });
  }

  replace(start: number, end: number, text: string): void {
    if (start === end) return this.insert(start, text);
    if (this.text.slice(start, end) === text) return;
    this.edits.push({ start, end, text, order: this.counter++ });
  }

  remove(start: number, end: number): void {
    if (start < end) this.edits.push({ start, end, text: '', order: this.counter++ });
  }

  /** Whether [start, end) lies inside a range this plan replaces or deletes. */
  covers(start: number, end: number): boolean {
    return this.edits.some((edit) => edit.start < edit.end && edit.start <= start && end <= edit.end);
  }

  /** The text the plan puts in: a name that appears here is still used after the rewrite. */
  insertedText(): string {
    return this.edits.map((edit) => edit.text).join('\n');
  }

  /** Where an offset of the original text lands in the result (insertions at it come before it). */
  mapOffset(position: number): number {
    let shift = 0;
    for (const edit of this.normalized()) {
      if (edit.start > position || (edit.start === position && edit.start < edit.end)) break;
      if (edit.end <= position) shift += edit.text.length - (edit.end - edit.start);
      else return edit.start + shift + edit.text.length;
    }
    return position + shift;
  }

  /**
   * The edits sorted and made disjoint: those inside a replaced range are dropped (deleting a
   * wrapper also deletes the rewrites planned inside it); overlapping replacements throw.
   */
  normalized(): Edit[] {
    const replacements = this.edits.filter((e) => e.start < e.end).sort((a, b) => a.start - b.start || b.end - a.end || a.order - b.order);
    const kept: Edit[] = [];
    const merged = new Set<Edit>();
    for (const edit of replacements) {
      const last = kept.at(-1);
      // Deletions that touch or share a blank line are one deletion (the imports of a file, a run of wrappers).
      if (last && last.text === '' && edit.text === '' && edit.start <= last.end) {
        if (edit.end > last.end) {
          const joined = { ...last, end: edit.end };
          kept[kept.length - 1] = joined;
          merged.add(joined);
        }
        continue;
      }
      if (last && edit.start < last.end) {
        if (edit.end <= last.end) continue;
        throw new EditConflictError(`overlapping edits at ${edit.start}-${edit.end} and ${last.start}-${last.end}`);
      }
      kept.push({ ...edit });
    }
    // A joined deletion that starts a file or a block and is followed by a blank line takes that line too.
    for (const edit of merged) {
      const before = this.text.slice(0, edit.start);
      const opened = edit.start === 0 || /(?:^|\n)[ \t]*\r?\n$/.test(before) || /[{([][ \t]*\r?\n$/.test(before);
      const blank = /^[ \t]*\r?\n/.exec(this.text.slice(edit.end));
      const clear = blank && !kept.some((other) => other !== edit && other.start >= edit.end && other.start < edit.end + blank[0].length);
      if (opened && (edit.start === 0 || before.endsWith('\n')) && blank && clear) edit.end += blank[0].length;
      // Up to the end of the file or a block's closing brace: no blank line is left dangling there.
      const trailing = /\n([ \t]*\r?\n)$/.exec(before);
      const closes = edit.end === this.text.length || /^[ \t]*[})\]]/.test(this.text.slice(edit.end));
      if (closes && trailing && !kept.some((other) => other !== edit && other.end > edit.start - trailing[1]!.length && other.start < edit.start)) {
        edit.start -= trailing[1]!.length;
      }
    }
    const insertions = this.edits.filter((e) => e.start === e.end && !kept.some((r) => r.start < e.start && e.start < r.end));
    return [...kept, ...insertions].sort((a, b) => a.start - b.start || (a.start === a.end ? 0 : 1) - (b.start === b.end ? 0 : 1) || a.order - b.order);
  }

  apply(): string {
    let output = '';
    let position = 0;
    for (const edit of this.normalized()) {
      output += this.text.slice(position, edit.start) + edit.text;
      position = edit.end;
    }
    return output + this.text.slice(position);
  }
}

/** The parser's own errors for a text: a rewrite may never add one. */
export function syntaxErrorCount(ts: TypeScriptApi, fileName: string, text: string): number {
  const kind = /\.[cm]?tsx$|\.jsx$/.test(fileName) ? ts.ScriptKind.TSX : /\.[cm]?js$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, kind);
  return ((file as unknown as { parseDiagnostics?: readonly TS.Diagnostic[] }).parseDiagnostics ?? []).length;
}

export function lineStart(text: string, position: number): number {
  const newline = text.lastIndexOf('\n', position - 1);
  return newline + 1;
}

export function lineEnd(text: string, position: number): number {
  const newline = text.indexOf('\n', position);
  return newline < 0 ? text.length : newline;
}

/** The whitespace a line starts with. */
export function indentOf(text: string, position: number): string {
  const start = lineStart(text, position);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** The file's indentation unit, from its first indented line (two spaces when it has none). */
export function indentUnit(text: string): string {
  const match = /\n([ \t]+)\S/.exec(text);
  if (!match) return '  ';
  return match[1]!.startsWith('\t') ? '\t' : match[1]!.length >= 4 && !/\n {2}\S/.test(text) ? '    ' : '  ';
}

function isBlankLine(text: string, start: number): boolean {
  const end = lineEnd(text, start);
  return text.slice(start, end).trim() === '';
}

/**
 * The range that removes a declaration as a reader sees it: its own lines, the comments
 * directly above it (not those a blank line separates), a comment after it on its last line, and
 * one of the blank lines around it, so that deleting it leaves no gap or double blank line.
 */
export function declarationRange(ts: TypeScriptApi, sourceFile: TS.SourceFile, node: TS.Node, options: { comma?: boolean } = {}): { start: number; end: number } {
  const text = sourceFile.text;
  let start = node.getStart(sourceFile);
  const comments = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  for (let i = comments.length - 1; i >= 0; i--) {
    const comment = comments[i]!;
    const between = text.slice(comment.end, start);
    if ((between.match(/\n/g) ?? []).length > 1) break;
    start = comment.pos;
  }
  let end = node.getEnd();
  // An object literal's member takes its comma with it.
  if (options.comma) {
    const comma = /^[ \t]*,/.exec(text.slice(end));
    if (comma) end += comma[0].length;
  }
  for (const comment of ts.getTrailingCommentRanges(text, end) ?? []) {
    if (text.slice(end, comment.pos).includes('\n')) break;
    end = comment.end;
  }
  const from = lineStart(text, start);
  const onlyOnItsLines = text.slice(from, start).trim() === '' && text.slice(end, lineEnd(text, end)).trim() === '';
  if (!onlyOnItsLines) {
    // Shares a line with other code (`a(); function f() {}`): take just the node and its comments.
    return { start, end };
  }
  let to = lineEnd(text, end);
  to = to < text.length ? to + 1 : to;
  const previous = from > 0 ? lineStart(text, from - 1) : -1;
  const previousLine = previous >= 0 ? text.slice(previous, from).trim() : '';
  const nextLine = to < text.length ? text.slice(to, lineEnd(text, to)).trim() : undefined;
  // One blank line goes with the declaration when it would otherwise double one, or sit right
  // after an opening brace or right before a closing one.
  const openedBefore = previous < 0 || previousLine === '' || /[{([]$/.test(previousLine);
  if (nextLine === '' && openedBefore) to = Math.min(text.length, lineEnd(text, to) + 1);
  else if (previous >= 0 && previousLine === '' && (nextLine === undefined || /^[})\]]/.test(nextLine))) return { start: previous, end: to };
  return { start: from, end: to };
}

/**
 * Offsets of the line starts inside [start, end) where extra indentation may go: not those that
 * fall inside a template literal or a string, whose text would change.
 */
export function indentableLineStarts(ts: TypeScriptApi, sourceFile: TS.SourceFile, start: number, end: number): number[] {
  const text = sourceFile.text;
  const literals: { start: number; end: number }[] = [];
  const visit = (node: TS.Node): void => {
    if (node.end <= start || node.getStart(sourceFile) >= end) return;
    if (ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) {
      literals.push({ start: node.getStart(sourceFile), end: node.getEnd() });
      if (!ts.isTemplateExpression(node)) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  const starts: number[] = [];
  for (let i = text.indexOf('\n', start); i >= 0 && i + 1 < end; i = text.indexOf('\n', i + 1)) {
    const at = i + 1;
    if (literals.some((literal) => literal.start < at && at < literal.end)) continue;
    if (isBlankLine(text, at)) continue;
    starts.push(at);
  }
  return starts;
}

export interface PlainEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * Insertions that wrap a block's statements: `{` open, the statements one more level in (two
 * indentation units), close `}`. Only insertions, so rewrites planned inside the block still
 * apply. `indent` is the indentation of the line the function starts on.
 */
export function wrapBlockEdits(
  ts: TypeScriptApi,
  sourceFile: TS.SourceFile,
  body: TS.Block,
  indent: string,
  newline: string,
  parts: (indent: string, unit: string, newline: string) => { open: string; close: string; depth: number },
): PlainEdit[] {
  const text = sourceFile.text;
  const unit = indentUnit(text);
  const { open, close, depth } = parts(indent, unit, newline);
  const openBrace = body.getStart(sourceFile);
  const closeBrace = body.getEnd() - 1;
  if (!text.slice(openBrace, closeBrace).includes('\n')) {
    return [
      { start: openBrace + 1, end: openBrace + 1, text: ` ${open.replace(/\r?\n\s*/g, ' ')}` },
      { start: closeBrace, end: closeBrace, text: `${close.replace(/\r?\n\s*/g, ' ')} ` },
    ];
  }
  // After a comment that ends the brace's line (`{ // why`), which stays with the line it is on.
  const restOfLine = text.slice(openBrace + 1, lineEnd(text, openBrace + 1));
  const afterBrace = /^\s*(?:\/\/.*|\/\*.*\*\/\s*)?$/.test(restOfLine) ? lineEnd(text, openBrace + 1) : openBrace + 1;
  const at = text[afterBrace - 1] === '\r' ? afterBrace - 1 : afterBrace;
  const edits: PlainEdit[] = [{ start: at, end: at, text: `${newline}${indent}${unit}${open}` }];
  for (const start of indentableLineStarts(ts, sourceFile, openBrace + 1, closeBrace)) {
    if (text.slice(start, closeBrace).trim() !== '') edits.push({ start, end: start, text: unit.repeat(depth) });
  }
  edits.push({ start: closeBrace, end: closeBrace, text: `${unit}${close}${newline}${indent}` });
  return edits;
}
