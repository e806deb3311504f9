import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { useColor, type CliIo } from '../cli/io.js';
import type { ScanResult } from '../scan/types.js';
import { DEFAULT_BASELINE_FILE } from './baseline.js';
import { PROGRESS_FORMATS, type ProgressFormat } from './format.js';
import { DEFAULT_MAX_POINTS } from './history.js';
import { applyScanBaseline, ProgressUsageError, runBaseline, runProgress } from './run.js';

interface ProgressCliOptions {
  format?: ProgressFormat;
  output?: string;
  baseline: string | boolean;
  config?: string;
  tsconfig?: string;
  failBelowPhase?: string;
  history?: boolean;
  since?: string;
  maxPoints?: number;
  cacheDir?: string;
  color: boolean;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** `--output report.html` means html, `.md` markdown, `.json` json; anything else the table. */
function formatFromOutput(output: string | undefined): ProgressFormat {
  const extension = output === undefined ? '' : path.extname(output).toLowerCase();
  if (extension === '.html' || extension === '.htm') return 'html';
  if (extension === '.md' || extension === '.markdown') return 'markdown';
  if (extension === '.json') return 'json';
  return 'pretty';
}

/**
 * Adds `loop-audit progress` and `loop-audit baseline` to the CLI, and the `--baseline`,
 * `--update-baseline` and `--accept-new` options to its `scan` command (whose action then calls
 * `applyScanBaselineOptions`).
 */
export function registerProgressCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('progress')
    .description('measure the sync-to-async migration against its phases (and the baseline), optionally over git history')
    .argument('[paths...]', 'files or directories to scan (default: the current directory)')
    .addOption(new Option('-f, --format <format>', 'report format (default: from the --output extension, else pretty)').choices(PROGRESS_FORMATS))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--baseline <file>', `baseline to measure against (default: ${DEFAULT_BASELINE_FILE} when it exists)`)
    .option('--no-baseline', 'ignore any baseline')
    .option('--tsconfig <file>', 'use this tsconfig instead of finding one')
    .option('-c, --config <file>', 'configuration file (default: nearest loop-audit.config.json or package.json "loopAudit")')
    .option('--fail-below-phase <name>', 'exit 1 unless this phase is done (a CI gate)')
    .option('--history', 'add the burndown: counts per phase at past first-parent commits')
    .option('--since <rev|date>', 'with --history: start at this commit or date (default: the first commit)')
    .option('--max-points <n>', `with --history: at most this many commits, evenly spaced (default: ${DEFAULT_MAX_POINTS})`, positiveInteger)
    .option('--cache-dir <dir>', 'with --history: where per-commit results are cached (default: .loop-audit/cache)')
    .option('--no-color', 'no colours in the pretty report')
    .action(async (paths: string[], options: ProgressCliOptions) => {
      if (!options.history && (options.since !== undefined || options.maxPoints !== undefined)) {
        throw new ProgressUsageError('--since and --max-points need --history');
      }
      const format = options.format ?? formatFromOutput(options.output);
      const outcome = await runProgress({
        cwd: io.cwd,
        paths,
        tsconfig: options.tsconfig,
        config: options.config,
        format,
        output: options.output,
        baseline: options.baseline === true ? undefined : options.baseline,
        failBelowPhase: options.failBelowPhase,
        history: options.history,
        since: options.since,
        maxPoints: options.maxPoints,
        cacheDir: options.cacheDir,
        color: format === 'pretty' && useColor(options.color, options.output === undefined && io.stdout.isTTY === true, io.env),
      });
      if (options.output === undefined) io.stdout.write(outcome.text);
      else io.stderr.write(`loop-audit: ${format} progress report written to ${options.output}\n`);
      if (outcome.failure) io.stderr.write(`loop-audit: ${outcome.failure}\n`);
      setExit(outcome.exitCode);
    });

  program
    .command('baseline')
    .description(`record today's findings in ${DEFAULT_BASELINE_FILE} so that scan --baseline fails only on new ones`)
    .argument('[paths...]', 'files or directories to scan (default: the current directory)')
    .option('--baseline <file>', `where to write it (default: ${DEFAULT_BASELINE_FILE})`)
    .option('--tsconfig <file>', 'use this tsconfig instead of finding one')
    .option('-c, --config <file>', 'configuration file')
    .action(async (paths: string[], options: { baseline?: string; tsconfig?: string; config?: string }) => {
      const { message } = await runBaseline({ cwd: io.cwd, paths, baseline: options.baseline, tsconfig: options.tsconfig, config: options.config });
      io.stderr.write(`loop-audit: ${message}\n`);
      setExit(0);
    });

  const scanCommand = program.commands.find((command) => command.name() === 'scan');
  scanCommand
    ?.option('--baseline [file]', `report and fail only on findings not in the baseline (default file: ${DEFAULT_BASELINE_FILE})`)
    .option('--update-baseline', 'prune resolved findings from the baseline (never adds new ones without --accept-new)')
    .option('--accept-new', 'with --update-baseline: add the new findings to the baseline too');
}

/**
 * Called by the scan command between scanning and reporting: with `--baseline`, only new
 * findings go on to the report and the exit code; the counts go to stderr.
 */
export function applyScanBaselineOptions(result: ScanResult, options: object, io: Pick<CliIo, 'stderr' | 'cwd'>): ScanResult {
  const { baseline, updateBaseline, acceptNew, quiet } = options as { baseline?: string | boolean; updateBaseline?: boolean; acceptNew?: boolean; quiet?: boolean };
  const outcome = applyScanBaseline(result, {
    baseline: typeof baseline === 'string' ? path.relative(result.root, path.resolve(io.cwd, baseline)) : baseline,
    updateBaseline,
    acceptNew,
  });
  if (!outcome) return result;
  if (!quiet) io.stderr.write(`loop-audit: ${outcome.message}\n`);
  return outcome.result;
}
