import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/types.js';
import { FORMATS, loadFormatter, type ReportFormat } from '../report/formats.js';
import { scan } from '../scan/scan.js';
import { ScanUsageError, type ScanResult } from '../scan/types.js';
import { PACKAGE } from '../version.js';
import { registerFixCommand } from './fix.js';
import { registerMigrateCommand } from './migrate.js';
import { ProgressBar } from './progress.js';

type ProgressCli = typeof import('../progress/cli.js');

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export type FailOn = 'error' | 'warn' | 'off';

export interface CliIo {
  stdout: { isTTY?: boolean; write(chunk: string): boolean };
  stderr: { isTTY?: boolean; columns?: number; write(chunk: string): boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

interface ScanCliOptions {
  tsconfig?: string;
  config?: string;
  format?: ReportFormat;
  output?: string;
  failOn: FailOn;
  include?: string[];
  exclude?: string[];
  cache?: boolean;
  cacheLocation?: string;
  color: boolean;
  quiet?: boolean;
}

/** Exit code for a result: findings at or above the threshold, or files that failed to parse or read. */
export function exitCodeFor(result: ScanResult, failOn: FailOn): number {
  if (failOn === 'off') return EXIT_OK;
  const failing = result.findings.some((f) => f.severity === 'error' || failOn === 'warn');
  const broken = result.errors.some((e) => !e.skipped);
  return failing || broken ? EXIT_FINDINGS : EXIT_OK;
}

function formatFromOutput(file: string): ReportFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.sarif') return 'sarif';
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  return 'json';
}

/** NO_COLOR (any non-empty value) and --no-color turn colours off, and so does anything but a terminal; FORCE_COLOR turns them on. */
export function useColor(option: boolean, toTerminal: boolean, env: NodeJS.ProcessEnv): boolean {
  if (!option) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return toTerminal;
}

/** Written beside the target and renamed over it, so a reader never sees a half-written report. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Arguments that need the progress/baseline commands (or the full help). Those load TypeScript for
 * their fingerprints; a plain `scan`, above all a warm cached one, must not pay for that at start-up.
 */
const PROGRESS_COMMANDS = new Set(['progress', 'baseline', 'help', '--help', '-h']);
const PROGRESS_SCAN_OPTIONS = ['--baseline', '--no-baseline', '--update-baseline', '--accept-new'];

export function needsProgressCommands(args: readonly string[]): boolean {
  if (args.length === 0) return true;
  return args.some((arg) => PROGRESS_COMMANDS.has(arg) || PROGRESS_SCAN_OPTIONS.some((option) => arg === option || arg.startsWith(`${option}=`)));
}

export function buildProgram(io: CliIo, setExit: (code: number) => void, progress?: ProgressCli): Command {
  const program = new Command('loop-audit')
    .description('Find the event-loop disease of sync/async JavaScript and TypeScript: loops per call, sync bridges, sync wrappers, floating promises.')
    .version(PACKAGE.version, '-v, --version')
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('scan')
    .description('scan files with the type checker and report findings')
    .argument('[paths...]', 'files or directories to scan (default: the current directory)')
    .option('--tsconfig <file>', 'use this tsconfig (references are followed) instead of finding one')
    .option('-c, --config <file>', 'configuration file (default: nearest loop-audit.config.json or package.json "loopAudit")')
    .addOption(new Option('-f, --format <format>', 'report format (default: pretty on a terminal, else json)').choices(FORMATS))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding has at least this severity').choices(['error', 'warn', 'off']).default('error'))
    .option('--include <glob...>', 'only scan files matching these globs (relative to the working directory)')
    .option('--exclude <glob...>', 'skip files matching these globs')
    .option('--cache', 'reuse results of unchanged files from the last run')
    .option('--cache-location <path>', 'cache file or directory (default: .loop-audit-cache/scan-cache.json)')
    .option('--no-color', 'no colours in the pretty report')
    .option('-q, --quiet', 'no progress bar and no summary line on stderr')
    .action(async (paths: string[], options: ScanCliOptions) => {
      const toStdout = options.output === undefined;
      const format: ReportFormat = options.format ?? (toStdout ? (io.stdout.isTTY ? 'pretty' : 'json') : formatFromOutput(options.output!));
      const bar = ProgressBar.enabled(io.stderr, options.quiet === true) ? new ProgressBar(io.stderr) : undefined;
      let result: ScanResult;
      try {
        result = await scan({
          cwd: io.cwd,
          paths,
          tsconfig: options.tsconfig,
          config: options.config,
          include: options.include,
          exclude: options.exclude,
          cache: options.cache === true || options.cacheLocation !== undefined,
          cacheLocation: options.cacheLocation,
          onProgress: bar?.update,
        });
      } finally {
        bar?.clear();
      }
      if (progress) result = progress.applyScanBaselineOptions(result, options, io);
      const color = format === 'pretty' && useColor(options.color, toStdout && io.stdout.isTTY === true, io.env);
      const report = (await loadFormatter(format))(result, { color });
      if (toStdout) io.stdout.write(report);
      else {
        writeAtomically(path.resolve(io.cwd, options.output!), report);
        if (!options.quiet) {
          const errors = result.findings.filter((f) => f.severity === 'error').length;
          io.stderr.write(`loop-audit: ${result.findings.length} findings (${errors} errors) in ${result.files.length} files; ${format} report written to ${options.output}\n`);
        }
      }
      setExit(exitCodeFor(result, options.failOn));
    });
  registerFixCommand(program, io, setExit);
  registerMigrateCommand(program, io, setExit);
  progress?.registerProgressCommands(program, io, setExit);
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 clean, 1 findings at or above --fail-on (or files that
 * could not be parsed or read), 2 usage or configuration errors (bad flags, bad config, missing or
 * broken tsconfig, missing paths).
 */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }): Promise<number> {
  let code = EXIT_OK;
  const progress = needsProgressCommands(argv.slice(2)) ? await import('../progress/cli.js') : undefined;
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    progress,
  );
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; every other commander error is usage.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof ConfigError || error instanceof ScanUsageError) {
      io.stderr.write(`loop-audit: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`loop-audit: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_USAGE;
  }
  return code;
}
