import path from 'node:path';
import { ConfigError } from '../config/types.js';
import { loadFormatter, type ReportFormat } from '../report/formats.js';
import { scan } from '../scan/scan.js';
import { ScanUsageError, type ScanResult, type TypeBackendOption } from '../scan/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, useColor, type CliIo, type FailOn } from './io.js';
import { ProgressBar } from './progress.js';

/**
 * The `scan` command's work, shared by commander's action (src/cli/main.ts) and the start-up fast
 * path (src/cli/fast-scan.ts), which runs it without loading commander, the other commands, or
 * anything they import. Keep this module's imports light: it is on that path.
 */

type ProgressCli = typeof import('../progress/cli.js');

/** The scan command's options, as commander hands them to the action. */
export interface ScanCliOptions {
  tsconfig?: string;
  config?: string;
  format?: ReportFormat;
  output?: string;
  failOn: FailOn;
  include?: string[];
  exclude?: string[];
  cache?: boolean;
  cacheLocation?: string;
  typeBackend?: TypeBackendOption;
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

/** Scans, reports in the chosen format, and sets the exit code. Errors propagate to `cliErrorCode`. */
export async function runScanCommand(paths: string[], options: ScanCliOptions, io: CliIo, setExit: (code: number) => void, progress?: ProgressCli): Promise<void> {
  const toStdout = options.output === undefined;
  // pretty wherever it goes (a CI log is read by people too); colours only on a terminal.
  const format: ReportFormat = options.format ?? (toStdout ? 'pretty' : formatFromOutput(options.output!));
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
      ...(options.typeBackend ? { typeBackend: options.typeBackend } : {}),
      onProgress: bar?.update,
    });
  } finally {
    bar?.clear();
  }
  if (result.nothingAnalysed !== undefined) {
    // Zero is never green: say why, keep machine-readable reports well-formed, and fail as a usage error.
    if (format !== 'pretty') {
      const report = (await loadFormatter(format))(result, { color: false });
      if (toStdout) io.stdout.write(report);
      else writeFileAtomic(path.resolve(io.cwd, options.output!), report);
    }
    io.stderr.write(`loop-audit: ${result.nothingAnalysed}\n`);
    setExit(EXIT_USAGE);
    return;
  }
  if (progress) result = progress.applyScanBaselineOptions(result, options, io);
  const color = format === 'pretty' && useColor(options.color, toStdout && io.stdout.isTTY === true, io.env);
  const report = (await loadFormatter(format))(result, { color });
  if (toStdout) io.stdout.write(report);
  else {
    writeFileAtomic(path.resolve(io.cwd, options.output!), report);
    if (!options.quiet) {
      const errors = result.findings.filter((f) => f.severity === 'error').length;
      io.stderr.write(`loop-audit: ${result.findings.length} findings (${errors} errors) in ${result.files.length} files; ${format} report written to ${options.output}\n`);
    }
  }
  setExit(exitCodeFor(result, options.failOn));
}

/** The exit code (and message) for an error a command threw: configuration and usage errors are 2, and so is anything unexpected. */
export function cliErrorCode(error: unknown, io: CliIo): number {
  if (error instanceof ConfigError || error instanceof ScanUsageError) {
    io.stderr.write(`loop-audit: ${error.message}\n`);
    return EXIT_USAGE;
  }
  io.stderr.write(`loop-audit: internal error: ${(error as Error).stack ?? String(error)}\n`);
  return EXIT_USAGE;
}
