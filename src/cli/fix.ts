import { Option, type Command } from 'commander';
import type { FixResult } from '../fix/run.js';
import { EXIT_FINDINGS, EXIT_OK, type CliIo, type FailOn } from './io.js';

interface FixCliOptions {
  write?: boolean;
  rule?: string[];
  tsconfig?: string;
  config?: string;
  include?: string[];
  exclude?: string[];
  failOn: FailOn;
  format: 'diff' | 'json';
  quiet?: boolean;
  allowRuntimeDependency?: boolean;
}

/**
 * Exit code of a fix run: 1 when a write was refused (a symlink, outside the root, changed
 * meanwhile), or, unless `--fail-on off`, when findings at or above the threshold remain after
 * the fixes (in a dry run: would remain) or a file could not be read or parsed; else 0.
 */
export function fixExitCode(result: FixResult, failOn: FailOn): number {
  if (result.files.some((entry) => entry.refused)) return EXIT_FINDINGS;
  if (failOn === 'off') return EXIT_OK;
  const failing = result.files.some((entry) => entry.remaining.some((finding) => finding.severity === 'error' || failOn === 'warn'));
  const broken = result.files.some((entry) => entry.error !== undefined);
  return failing || broken ? EXIT_FINDINGS : EXIT_OK;
}

/** `loop-audit fix [paths...]`: the autofixes of the four rules, as a diff, or written with `--write`. */
export function registerFixCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  // `--no-format` shares commander's attribute with `--format <format>`: each is tracked by its own event.
  let output: 'diff' | 'json' = 'diff';
  let runFormatter = true;
  const command = program
    .command('fix')
    .description('apply the autofixes (rewrites to @loop-audit/runtime, added to package.json dependencies): print a unified diff, or write the files with --write')
    .argument('[paths...]', 'files or directories to fix (default: the current directory)')
    .option('--write', 'write the fixed files (atomically); without it nothing is changed')
    .option('--rule <id...>', "only these rules' fixes (rule ids like no-floating-promise, or families like floating-promise)")
    .option('--tsconfig <file>', 'use this tsconfig (references are followed) instead of finding one')
    .option('-c, --config <file>', 'configuration file (default: nearest loop-audit.config.json or package.json "loopAudit")')
    .option('--include <glob...>', 'only fix files matching these globs (relative to the working directory)')
    .option('--exclude <glob...>', 'skip files matching these globs')
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding of at least this severity remains after the fixes').choices(['error', 'warn', 'off']).default('error'))
    .addOption(new Option('-f, --format <format>', 'diff (default) or a JSON summary').choices(['diff', 'json']).default('diff'))
    .option('--allow-runtime-dependency', 'apply fixes that import @loop-audit/runtime in a published library too (package.json with main/exports, not private), adding the dependency')
    .option('--no-format', "do not run the project's formatter (prettier, biome or dprint) on the fixed files")
    .option('-q, --quiet', 'no summary and no per-fix notes on stderr')
    .action(async (paths: string[], options: FixCliOptions) => {
      options.format = output;
      const { fixProject, formatDiff } = await import('../fix/run.js');
      const result = await fixProject({
        cwd: io.cwd,
        paths,
        tsconfig: options.tsconfig,
        config: options.config,
        include: options.include,
        exclude: options.exclude,
        rules: options.rule ?? [],
        write: options.write === true,
        allowRuntimeDependency: options.allowRuntimeDependency === true,
        format: runFormatter,
      });
      if (options.format === 'json') io.stdout.write(`${JSON.stringify(jsonSummary(result, formatDiff), null, 2)}\n`);
      else io.stdout.write(formatDiff(result));
      if (!options.quiet) io.stderr.write(notes(result));
      setExit(fixExitCode(result, options.failOn));
    });
  command.on('option:format', (value: 'diff' | 'json') => {
    output = value;
  });
  command.on('option:no-format', () => {
    runFormatter = false;
  });
}

function notes(result: FixResult): string {
  const lines: string[] = [];
  for (const entry of result.files) {
    for (const dropped of entry.dropped) lines.push(`${entry.file}:${dropped.line}:${dropped.column}: ${dropped.reason}: ${dropped.message}`);
    if (entry.error) lines.push(`${entry.file}: ${entry.error}`);
  }
  for (const change of result.dependencies) {
    if (!change.error) lines.push(`${change.relative}: ${change.written ? '' : result.write ? 'not written (none of its fixed files was): ' : 'would be changed: '}${change.message}`);
  }
  for (const note of result.notes) lines.push(note);
  const formatters = [...new Set(result.files.filter((entry) => entry.formatted && !entry.error).map((entry) => entry.formatted!))];
  if (formatters.length > 0) lines.push(`formatted the fixed files with the project's ${formatters.join(' and ')}`);
  const changed = result.files.filter((entry) => !entry.error && entry.after !== entry.before);
  const fixes = changed.reduce((sum, entry) => sum + entry.fixed.length, 0);
  const remaining = result.files.flatMap((entry) => entry.remaining);
  const errors = remaining.filter((finding) => finding.severity === 'error').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('x') ? 'es' : 's'}`;
  const action =
    changed.length === 0
      ? 'nothing to fix'
      : result.write
        ? `wrote ${plural(result.files.filter((entry) => entry.written).length, 'file')} (${plural(fixes, 'fix')})`
        : `${plural(fixes, 'fix')} in ${plural(changed.length, 'file')} (dry run: nothing written; add --write to apply)`;
  lines.push(`${action}; ${plural(remaining.length, 'finding')} without an autofix ${remaining.length === 1 ? 'remains' : 'remain'} (${plural(errors, 'error')})`);
  return lines.map((line) => `loop-audit fix: ${line}\n`).join('');
}

function jsonSummary(result: FixResult, formatDiff: (result: FixResult) => string) {
  const changed = result.files.filter((entry) => !entry.error && entry.after !== entry.before);
  return {
    root: result.root,
    write: result.write,
    summary: {
      files: result.files.length,
      changed: changed.length,
      written: result.files.filter((entry) => entry.written).length,
      fixes: changed.reduce((sum, entry) => sum + entry.fixed.length, 0),
      dropped: result.files.reduce((sum, entry) => sum + entry.dropped.length, 0),
      remaining: result.files.reduce((sum, entry) => sum + entry.remaining.length, 0),
      suggestions: result.files.reduce((sum, entry) => sum + (entry.suggested ?? 0), 0),
      errors: result.files.filter((entry) => entry.error !== undefined).length,
    },
    files: result.files
      .filter((entry) => entry.after !== entry.before || entry.dropped.length > 0 || entry.remaining.length > 0 || entry.error)
      .map((entry) => ({
        file: entry.file,
        changed: !entry.error && entry.after !== entry.before,
        written: entry.written,
        fixes: entry.fixed,
        dropped: entry.dropped,
        remaining: entry.remaining,
        ...(entry.error ? { error: entry.error } : {}),
        ...(entry.formatted ? { formatted: entry.formatted } : {}),
        ...(!entry.error && entry.after !== entry.before ? { diff: formatDiff({ ...result, files: [entry], dependencies: [] }) } : {}),
      })),
    notices: result.notices,
    dependencies: result.dependencies.map((change) => ({
      file: change.relative,
      message: change.message,
      written: change.written,
      ...(change.error ? { error: change.error } : { diff: formatDiff({ ...result, files: [], dependencies: [change] }) }),
    })),
    notes: result.notes,
  };
}
