import { Command, CommanderError, Option } from 'commander';
import { FORMATS } from '../report/formats.js';
import { TYPE_BACKEND_OPTIONS } from '../scan/types.js';
import { PACKAGE } from '../version.js';
import { registerFixCommand } from './fix.js';
import { registerMigrateCommand } from './migrate.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from './io.js';
import { cliErrorCode, runScanCommand, type ScanCliOptions } from './scan-command.js';

type ProgressCli = typeof import('../progress/cli.js');

// The scan command's work and the CLI's shared types live in scan-command.ts, which the start-up
// fast path (fast-scan.ts) runs without commander; re-exported here for the other commands and tests.
export { exitCodeFor } from './scan-command.js';
export { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, useColor, type CliIo, type FailOn } from './io.js';

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
    .addOption(new Option('-f, --format <format>', 'report format (default: pretty; with --output, from the file extension)').choices(FORMATS))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding has at least this severity').choices(['error', 'warn', 'off']).default('error'))
    .option('--include <glob...>', 'only scan files matching these globs (relative to the working directory)')
    .option('--exclude <glob...>', 'skip files matching these globs')
    .option('--cache', 'reuse results of unchanged files from the last run')
    .option('--cache-location <path>', 'cache file or directory (default: .loop-audit-cache/scan-cache.json)')
    .addOption(
      new Option('--type-backend <backend>', 'which TypeScript answers type questions: auto (TypeScript 7 when it loads the project, else 6; the default), typescript7, typescript6').choices(
        TYPE_BACKEND_OPTIONS,
      ),
    )
    .option('--no-color', 'no colours in the pretty report')
    .option('-q, --quiet', 'no progress bar and no summary line on stderr')
    .action(async (paths: string[], options: ScanCliOptions) => {
      await runScanCommand(paths, options, io, setExit, progress);
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
    return cliErrorCode(error, io);
  }
  return code;
}
