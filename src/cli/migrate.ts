import { Option, type Command } from 'commander';
import type { MigrationMode } from '../migrate/types.js';

/** What `migrate` needs from the CLI: where to write and how to end. */
export interface MigrateIo {
  stdout: { write(chunk: string): boolean };
  stderr: { write(chunk: string): boolean };
  cwd: string;
}

interface MigrateCliOptions {
  phase?: string;
  path?: string[];
  write?: boolean;
  format: 'pretty' | 'json';
  keepPublicSync?: boolean;
  keepNames?: boolean;
  to?: MigrationMode;
  tsconfig?: string;
  config?: string;
  allowRuntimeDependency?: boolean;
}

/**
 * `loop-audit migrate`: registered on the program; the codemod (ts-morph, the analysis core)
 * loads only when the command runs. Exit code 0 when everything in scope was migrated, 1 when
 * something was refused or kept, or findings of the phase are left that it does not handle (the
 * report says what, why and what to do), 2 for usage errors, a missing path, or a scope with no file.
 */
export function registerMigrateCommand(program: Command, io: MigrateIo, setExit: (code: number) => void): void {
  // `--no-format` shares commander's attribute with `--format <format>`: each is tracked by its own event.
  let output: 'pretty' | 'json' = 'pretty';
  let runFormatter = true;
  const command = program
    .command('migrate')
    .description('remove sync wrappers phase by phase: callers await the async sibling, transitively up to the entry points (dry run unless --write)')
    .argument('[paths...]', 'files, directories or globs to migrate (with --phase: both must match)')
    .option('--phase <name>', 'a phase of the phases configuration: its layer is the scope, its rules decide what is done')
    .option('--path <glob...>', 'files, directories or globs to migrate (same as the positional paths)')
    .option('--write', 'apply the changes (default: print a unified diff and change nothing)')
    .addOption(new Option('-f, --format <format>', 'report format: pretty (the diff, then the report) or json').choices(['pretty', 'json']).default('pretty'))
    .option('--keep-public-sync', 'exported functions keep a sync signature: a marked wrapper over the runner stays at the boundary')
    .option('--keep-names', 'functions named …Sync that become async keep their names (by default the suffix goes, across files)')
    .addOption(
      new Option('--to <mode>', 'async: callers await the sibling and wrappers go; runner: wrappers move onto @loop-audit/runtime (default: runner for a bridge-only phase such as stabilize)').choices(
        ['async', 'runner'],
      ),
    )
    .option('--allow-runtime-dependency', 'in a published library too (package.json with main/exports, not private), rewrite to @loop-audit/runtime and add it to the dependencies')
    .option('--no-format', "do not run the project's formatter (prettier, biome or dprint) on the rewritten files")
    .option('--tsconfig <file>', 'use this tsconfig instead of the nearest one')
    .option('-c, --config <file>', 'configuration file (phases, rule options)')
    .action(async (paths: string[], options: MigrateCliOptions) => {
      options.format = output;
      const { migrate } = await import('../migrate/migrate.js');
      const { formatMigrateJson, formatMigrateReport } = await import('../migrate/format.js');
      const allPaths = [...paths, ...(options.path ?? [])];
      const result = await migrate({
        cwd: io.cwd,
        ...(options.phase !== undefined ? { phase: options.phase } : {}),
        ...(allPaths.length > 0 ? { paths: allPaths } : {}),
        ...(options.tsconfig !== undefined ? { tsconfig: options.tsconfig } : {}),
        ...(options.config !== undefined ? { config: options.config } : {}),
        ...(options.to !== undefined ? { mode: options.to } : {}),
        write: options.write === true,
        keepPublicSync: options.keepPublicSync === true,
        keepNames: options.keepNames === true,
        allowRuntimeDependency: options.allowRuntimeDependency === true,
        format: runFormatter,
      });
      if (options.format === 'json') io.stdout.write(formatMigrateJson(result));
      else if (result.write) io.stdout.write(formatMigrateReport(result));
      else {
        // The diff alone on stdout (it applies with `git apply`), the report beside it on stderr.
        io.stdout.write(result.diff);
        io.stderr.write(formatMigrateReport(result));
      }
      setExit(result.refusals.length > 0 || result.unhandled.length > 0 ? 1 : 0);
    });
  command.on('option:format', (value: 'pretty' | 'json') => {
    output = value;
  });
  command.on('option:no-format', () => {
    runFormatter = false;
  });
}
