import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileRole } from '../core/file-role.js';
import { RUNTIME_PACKAGE } from '../core/runtime-package.js';

/**
 * Fixed code imports the runtime package, so the package that holds the fixed file must list it:
 * in `dependencies` when fixed code runs in production, in `devDependencies` when every fixed
 * file that imports it is a test or a benchmark (code the package's users never run). This
 * module decides, per file, whether fixes may add that dependency, and writes it into
 * package.json keeping the file's formatting.
 */

export interface Manifest {
  /** Absolute path of the package.json. */
  file: string;
  text: string;
  json: Record<string, unknown>;
}

export type RuntimePolicy =
  /** The package lists the runtime in `dependencies` (or `peerDependencies`) already. */
  | { allowed: true; reason: 'present'; manifest: Manifest }
  /** An application (private, or no `main`/`exports`) or `--allow-runtime-dependency`: fixes add it. */
  | { allowed: true; reason: 'application' | 'flag'; manifest: Manifest }
  /** A test or benchmark of a published library: its users never run it, so fixes add a dev dependency. */
  | { allowed: true; reason: 'dev-only'; manifest: Manifest }
  /** No package.json above the file: fixes may use the runtime; the user installs it. */
  | { allowed: true; reason: 'no-manifest' }
  /** A published library that does not depend on the runtime: no surprise dependency. */
  | { allowed: false; reason: 'library'; manifest: Manifest };

const DEPENDENCY_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

const manifestCache = new Map<string, { mtimeMs: number; size: number; manifest: Manifest | null }>();

/** The package.json that governs `file`: the nearest one above it, not looking past a node_modules folder. */
export function nearestManifest(file: string): Manifest | undefined {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    const manifest = readManifest(candidate);
    if (manifest) return manifest;
    const parent = path.dirname(dir);
    if (parent === dir || path.basename(dir) === 'node_modules') return undefined;
  }
}

function readManifest(file: string): Manifest | undefined {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile()) return undefined;
  const cached = manifestCache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.manifest ?? undefined;
  let manifest: Manifest | null = null;
  try {
    const text = readFileSync(file, 'utf8');
    const json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) manifest = { file, text, json: json as Record<string, unknown> };
  } catch {
    // Not readable or not JSON: npm could not use it either; treated as absent.
  }
  manifestCache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, manifest });
  return manifest ?? undefined;
}

function section(json: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = json[name];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Published: an entry point for others (`main` or `exports`) and not `private`. */
export function isPublishedLibrary(json: Record<string, unknown>): boolean {
  return json.private !== true && (json.main !== undefined || json.exports !== undefined);
}

/** Code the package's users never run: its tests and benchmarks. */
export function isDevOnlyFile(file: string): boolean {
  const role = fileRole(file);
  return role === 'test' || role === 'benchmark';
}

/** The section fixed code in `file` needs the runtime in. */
function neededSection(file: string): 'dependencies' | 'devDependencies' {
  return isDevOnlyFile(file) ? 'devDependencies' : 'dependencies';
}

/** Whether the package lists the runtime where code in that section's files can load it. */
function listsRuntimeFor(json: Record<string, unknown>, needed: 'dependencies' | 'devDependencies'): boolean {
  const listed = (name: string): boolean => section(json, name)?.[RUNTIME_PACKAGE] !== undefined;
  return listed('dependencies') || listed('peerDependencies') || (needed === 'devDependencies' && listed('devDependencies'));
}

/** Whether fixes in `file` may import the runtime package. */
export function runtimePolicy(file: string, allowRuntimeDependency = false): RuntimePolicy {
  const manifest = nearestManifest(file);
  if (!manifest) return { allowed: true, reason: 'no-manifest' };
  const json = manifest.json;
  if (listsRuntimeFor(json, neededSection(file))) return { allowed: true, reason: 'present', manifest };
  if (json.name === RUNTIME_PACKAGE) return { allowed: true, reason: 'present', manifest };
  if (!isPublishedLibrary(json)) return { allowed: true, reason: 'application', manifest };
  if (allowRuntimeDependency) return { allowed: true, reason: 'flag', manifest };
  if (isDevOnlyFile(file)) return { allowed: true, reason: 'dev-only', manifest };
  return { allowed: false, reason: 'library', manifest };
}

let installedRange: string | undefined;

/** `^<version>` of the runtime package loop-audit itself uses: the API its fixes are written against. */
export function runtimeVersionRange(): string {
  if (installedRange) return installedRange;
  const require = createRequire(import.meta.url);
  const { version } = require(`${RUNTIME_PACKAGE}/package.json`) as { version: string };
  return (installedRange = `^${version}`);
}

/** Whether the text imports or requires the runtime package (or a subpath of it). */
export function importsRuntime(text: string): boolean {
  return /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)['"]@loop-audit\/runtime(?:\/[^'"]*)?['"]/m.test(text);
}

export interface ManifestChange {
  file: string;
  before: string;
  after: string;
  /** What changed, for the report: `added @loop-audit/runtime ^0.1.0 to dependencies`. */
  message: string;
  range: string;
  /** The changed files (absolute) that import the runtime and belong to this package. */
  importers: string[];
}

/**
 * package.json with `name: range` in `target` (for `dependencies`, moved there from
 * `devDependencies` or `optionalDependencies` if it was listed there), written the way the file
 * is written: its indentation, line endings, final newline and key order; a new key goes where
 * the section is sorted, else last. Returns undefined when the edit cannot be made exactly (the
 * result is checked to be the same JSON plus the dependency).
 */
export function withDependency(text: string, name: string, range: string, target: 'dependencies' | 'devDependencies' = 'dependencies'): { text: string; movedFrom?: string } | undefined {
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  const body = bom ? text.slice(1) : text;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const newline = body.includes('\r\n') ? '\r\n' : '\n';
  const unit = /\n([ \t]+)"/.exec(body)?.[1] ?? '  ';
  const expected = structuredClone<Record<string, unknown>>(json);
  let current = body;
  let movedFrom: string | undefined;
  for (const other of target === 'dependencies' ? (['devDependencies', 'optionalDependencies'] as const) : []) {
    if (section(json, other)?.[name] === undefined) continue;
    const removed = removeMember(current, other, name);
    if (removed === undefined) return undefined;
    current = removed;
    delete (expected[other] as Record<string, unknown>)[name];
    movedFrom = other;
  }
  const added = addMember(current, target, name, range, unit, newline);
  if (added === undefined) return undefined;
  const deps = section(expected, target) ?? {};
  deps[name] = range;
  expected[target] = deps;
  try {
    if (!isDeepStrictEqual(JSON.parse(added), expected)) return undefined;
  } catch {
    return undefined;
  }
  return { text: bom + added, ...(movedFrom ? { movedFrom } : {}) };
}

interface Member {
  key: string;
  /** Offset of the key's opening quote. */
  start: number;
  valueStart: number;
  valueEnd: number;
}

/** The members of the object literal that starts at `open` (a `{`), with their offsets. */
function members(text: string, open: number): { members: Member[]; close: number } | undefined {
  const found: Member[] = [];
  let i = skipWhitespace(text, open + 1);
  if (text[i] === '}') return { members: found, close: i };
  for (;;) {
    if (text[i] !== '"') return undefined;
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    let j = skipWhitespace(text, keyEnd);
    if (text[j] !== ':') return undefined;
    const valueStart = skipWhitespace(text, j + 1);
    const valueEnd = valueEndAt(text, valueStart);
    if (valueEnd === undefined) return undefined;
    found.push({ key, start: i, valueStart, valueEnd });
    j = skipWhitespace(text, valueEnd);
    if (text[j] === '}') return { members: found, close: j };
    if (text[j] !== ',') return undefined;
    i = skipWhitespace(text, j + 1);
  }
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

function stringEnd(text: string, quote: number): number {
  let i = quote + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function valueEndAt(text: string, start: number): number | undefined {
  const first = text[start];
  if (first === '"') return stringEnd(text, start);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '"') i = stringEnd(text, i) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return undefined;
  }
  const match = /^[^,}\]\s]+/.exec(text.slice(start));
  return match ? start + match[0].length : undefined;
}

function topLevel(text: string): { members: Member[]; close: number; open: number } | undefined {
  const open = skipWhitespace(text, 0);
  if (text[open] !== '{') return undefined;
  const list = members(text, open);
  return list ? { ...list, open } : undefined;
}

function indentationBefore(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

function addMember(text: string, sectionName: string, name: string, value: string, unit: string, newline: string): string | undefined {
  const root = topLevel(text);
  if (!root) return undefined;
  const entry = `${JSON.stringify(name)}: ${JSON.stringify(value)}`;
  const existing = root.members.find((m) => m.key === sectionName);
  if (existing) {
    if (text[existing.valueStart] !== '{') return undefined;
    const inner = members(text, existing.valueStart);
    if (!inner) return undefined;
    const outerIndent = indentationBefore(text, existing.start);
    if (inner.members.length === 0) {
      return `${text.slice(0, existing.valueStart)}{${newline}${outerIndent}${unit}${entry}${newline}${outerIndent}}${text.slice(inner.close + 1)}`;
    }
    const keys = inner.members.map((m) => m.key);
    const sorted = keys.every((key, index) => index === 0 || keys[index - 1]!.localeCompare(key, 'en') <= 0);
    const before = sorted ? inner.members.find((m) => m.key.localeCompare(name, 'en') > 0) : undefined;
    const multiline = text.slice(existing.valueStart, inner.close).includes('\n');
    if (before) {
      const separator = multiline ? `,${newline}${indentationBefore(text, before.start)}` : ', ';
      return `${text.slice(0, before.start)}${entry}${separator}${text.slice(before.start)}`;
    }
    const last = inner.members.at(-1)!;
    const separator = multiline ? `,${newline}${indentationBefore(text, last.start)}` : ', ';
    return `${text.slice(0, last.valueEnd)}${separator}${entry}${text.slice(last.valueEnd)}`;
  }
  // A new section, after the last member (before `devDependencies` when there is one).
  if (!text.slice(root.open, root.close).includes('\n')) {
    // A one-line manifest stays on one line.
    const block = `${JSON.stringify(sectionName)}: { ${entry} }`;
    const last = root.members.at(-1);
    return last ? `${text.slice(0, last.valueEnd)}, ${block}${text.slice(last.valueEnd)}` : `${text.slice(0, root.open)}{ ${block} }${text.slice(root.close + 1)}`;
  }
  const dev = root.members.find((m) => m.key === 'devDependencies');
  const memberIndent = root.members[0] ? indentationBefore(text, root.members[0].start) : unit;
  const block = `${JSON.stringify(sectionName)}: {${newline}${memberIndent}${unit}${entry}${newline}${memberIndent}}`;
  if (dev) return `${text.slice(0, dev.start)}${block},${newline}${memberIndent}${text.slice(dev.start)}`;
  const last = root.members.at(-1);
  if (!last) return `${text.slice(0, root.open)}{${newline}${unit}${block}${newline}}${text.slice(root.close + 1)}`;
  return `${text.slice(0, last.valueEnd)},${newline}${memberIndent}${block}${text.slice(last.valueEnd)}`;
}

function removeMember(text: string, sectionName: string, name: string): string | undefined {
  const root = topLevel(text);
  const holder = root?.members.find((m) => m.key === sectionName);
  if (!holder || text[holder.valueStart] !== '{') return undefined;
  const inner = members(text, holder.valueStart);
  if (!inner) return undefined;
  const index = inner.members.findIndex((m) => m.key === name);
  if (index === -1) return undefined;
  const member = inner.members[index]!;
  const next = inner.members[index + 1];
  if (next) return text.slice(0, member.start) + text.slice(next.start);
  const previous = inner.members[index - 1];
  if (previous) return text.slice(0, previous.valueEnd) + text.slice(member.valueEnd);
  // The only member: the section becomes `{}`.
  return `${text.slice(0, holder.valueStart)}{}${text.slice(inner.close + 1)}`;
}

/** The section a package lists the runtime in, if any. */
export function runtimeSection(json: Record<string, unknown>): (typeof DEPENDENCY_SECTIONS)[number] | undefined {
  return DEPENDENCY_SECTIONS.find((name) => section(json, name)?.[RUNTIME_PACKAGE] !== undefined);
}

/**
 * For the files a run changed: each package.json whose package now imports the runtime and does
 * not list it in `dependencies` gets it (a caret range of the installed runtime). Notes say what
 * could not be done.
 */
export function runtimeDependencyChanges(changed: readonly { path: string; before: string; after: string }[]): { changes: ManifestChange[]; notes: string[] } {
  const byManifest = new Map<string, Manifest | undefined>();
  const importers = new Map<string, string[]>();
  const notes: string[] = [];
  const orphans: string[] = [];
  for (const entry of changed) {
    if (!importsRuntime(entry.after) || importsRuntime(entry.before)) continue;
    const manifest = nearestManifest(entry.path);
    if (!manifest) orphans.push(entry.path);
    else {
      byManifest.set(manifest.file, manifest);
      importers.set(manifest.file, [...(importers.get(manifest.file) ?? []), entry.path]);
    }
  }
  if (orphans.length > 0)
    notes.push(`no package.json above ${orphans.length === 1 ? orphans[0] : `${orphans.length} fixed files`}: install ${RUNTIME_PACKAGE} where the fixed code runs (npm install ${RUNTIME_PACKAGE})`);
  const changes: ManifestChange[] = [];
  const range = runtimeVersionRange();
  for (const manifest of byManifest.values()) {
    if (!manifest || manifest.json.name === RUNTIME_PACKAGE) continue;
    const files = importers.get(manifest.file)!;
    const target = files.every(isDevOnlyFile) ? 'devDependencies' : 'dependencies';
    if (listsRuntimeFor(manifest.json, target)) continue;
    const result = withDependency(manifest.text, RUNTIME_PACKAGE, range, target);
    if (!result) {
      notes.push(`add "${RUNTIME_PACKAGE}": "${range}" to the ${target} in ${manifest.file} by hand: its formatting is not one loop-audit can edit exactly`);
      continue;
    }
    const why = result.movedFrom ? ` (moved from ${result.movedFrom}: fixed code imports it at run time)` : target === 'devDependencies' ? ' (only tests and benchmarks import it)' : '';
    changes.push({
      file: manifest.file,
      before: manifest.text,
      after: result.text,
      range,
      importers: files,
      message: `added ${RUNTIME_PACKAGE} ${range} to ${target}${why}; run npm install`,
    });
  }
  return { changes, notes };
}
