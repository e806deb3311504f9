import path from 'node:path';
import { countSourceFiles, toPosix, type Discovery } from './discover.js';

/**
 * Zero is never green: when a command analysed no file, this says why, so that a CI gate fails
 * with a reason instead of passing on nothing. Every way a source file can be left out is
 * counted: the include and exclude globs, .gitignore, build output and vendored folders, the
 * `--tsconfig` project, and files read but skipped (minified, binary, too large).
 */
export interface NothingAnalysed {
  cwd: string;
  roots: readonly string[];
  discovery: Discovery;
  /** Discovered files left out as a tsconfig's outDir. */
  outDirFiles?: number;
  /** Discovered files outside the `--tsconfig` project. */
  outsideTsconfig?: number;
  /** Files read and then skipped, with the notices' messages (`skipped: minified file (...)`). */
  skippedOnRead?: readonly { file: string; message: string }[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function nothingAnalysedMessage(input: NothingAnalysed): string {
  const { discovery } = input;
  const where = input.roots.map((root) => toPosix(path.relative(input.cwd, root)) || '.').join(', ');
  const reasons: string[] = [];
  const filtered = discovery.filtered;
  const excluded = filtered.excluded + filtered.excludedDirs.reduce((n, dir) => n + countSourceFiles(dir), 0);
  const ignored = filtered.ignored + filtered.ignoredDirs.reduce((n, dir) => n + countSourceFiles(dir), 0);
  if (filtered.notIncluded > 0) reasons.push(`${plural(filtered.notIncluded, 'file')} outside the include globs`);
  if (excluded > 0) reasons.push(`${plural(excluded, 'file')} matched by the exclude globs`);
  if (ignored > 0) reasons.push(`${plural(ignored, 'file')} .gitignore'd`);
  const buildOutput = discovery.skipped.filter((s) => s.reason === 'build-output').reduce((n, s) => n + s.files, 0) + (input.outDirFiles ?? 0);
  const vendored = discovery.skipped.filter((s) => s.reason === 'vendored').reduce((n, s) => n + s.files, 0);
  if (buildOutput > 0) reasons.push(`${plural(buildOutput, 'file')} of build output`);
  if (vendored > 0) reasons.push(`${plural(vendored, 'file')} vendored`);
  if ((input.outsideTsconfig ?? 0) > 0) reasons.push(`${plural(input.outsideTsconfig!, 'file')} outside the --tsconfig project`);
  const onRead = input.skippedOnRead ?? [];
  if (onRead.length > 0) reasons.push(`${plural(onRead.length, 'file')} skipped on reading (${[...new Set(onRead.map((s) => s.message.replace(/^skipped: /, '').replace(/ \(.*$/, '')))].join(', ')})`);
  if (reasons.length === 0) {
    return `no file was analysed: no JavaScript or TypeScript source files (.js .mjs .cjs .jsx .ts .mts .cts .tsx, declaration files aside) under ${where}`;
  }
  const hints: string[] = [];
  if (filtered.notIncluded > 0 || excluded > 0) hints.push('change `include`/`exclude` (loop-audit.config.json, package.json "loopAudit", --include, --exclude)');
  if (buildOutput > 0 || vendored > 0) hints.push('name a skipped folder or file to scan it (`loop-audit scan dist`)');
  if (ignored > 0) hints.push("name the .gitignore'd files on the command line");
  return `no file was analysed under ${where}: ${reasons.join('; ')}. To scan them, ${hints.join(', or ') || 'name them explicitly'}`;
}
