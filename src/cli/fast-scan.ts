import { FORMATS } from '../report/formats.js';
import { TYPE_BACKEND_OPTIONS, type TypeBackendOption } from '../scan/types.js';
import { EXIT_OK, type CliIo, type FailOn } from './io.js';
import { cliErrorCode, runScanCommand, type ScanCliOptions } from './scan-command.js';

/**
 * The start-up fast path of `loop-audit scan`. A warm cached scan that finds nothing changed takes
 * a few tens of milliseconds of work; loading commander and every other command's module (fix,
 * migrate, and what they import) was a third of its time. So bin.ts first offers the arguments
 * to `parseScanArguments`, which accepts only the plain forms of the scan command's own options,
 * and runs the very same scan command (scan-command.ts) on them. Anything else — another command,
 * help, a repeated or unknown option, a variadic `--include`, a value that looks like an option,
 * a progress/baseline option — is left to commander in main.ts, untouched, so every error
 * message and every exotic form stays commander's.
 *
 * The scan itself validates the cache as it always does (scan.ts): this path skips no check, it
 * only avoids loading what the scan does not use. On a cache miss it is simply a scan without
 * commander. It imports nothing heavier than scan-command.ts.
 */

const FAIL_ON = new Set(['error', 'warn', 'off']);

type ValueOption = 'tsconfig' | 'config' | 'format' | 'output' | 'failOn' | 'cacheLocation' | 'typeBackend';
type FlagOption = 'cache' | 'noColor' | 'quiet';

const VALUE_OPTIONS: ReadonlyMap<string, ValueOption> = new Map([
  ['--tsconfig', 'tsconfig'],
  ['-c', 'config'],
  ['--config', 'config'],
  ['-f', 'format'],
  ['--format', 'format'],
  ['-o', 'output'],
  ['--output', 'output'],
  ['--fail-on', 'failOn'],
  ['--cache-location', 'cacheLocation'],
  ['--type-backend', 'typeBackend'],
]);
const FLAG_OPTIONS: ReadonlyMap<string, FlagOption> = new Map([
  ['--cache', 'cache'],
  ['--no-color', 'noColor'],
  ['-q', 'quiet'],
  ['--quiet', 'quiet'],
]);

export interface ParsedScan {
  paths: string[];
  options: ScanCliOptions;
}

/**
 * `scan` arguments (what follows `node bin.js`) as commander would hand them to the action, or
 * undefined when they are anything but the plain forms this parser knows to mean the same thing.
 */
export function parseScanArguments(args: readonly string[]): ParsedScan | undefined {
  if (args[0] !== 'scan') return undefined;
  const paths: string[] = [];
  const values = new Map<ValueOption, string>();
  const flags = new Set<FlagOption>();
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) {
      if (arg === '') return undefined;
      paths.push(arg);
      continue;
    }
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals >= 0 ? arg.slice(0, equals) : arg;
    const flag = FLAG_OPTIONS.get(name);
    if (flag !== undefined) {
      if (equals >= 0 || flags.has(flag)) return undefined;
      flags.add(flag);
      continue;
    }
    const option = VALUE_OPTIONS.get(name);
    if (option === undefined || values.has(option)) return undefined;
    const value = equals >= 0 ? arg.slice(equals + 1) : args[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    values.set(option, value);
  }
  const format = values.get('format');
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) return undefined;
  const failOn = values.get('failOn') ?? 'error';
  if (!FAIL_ON.has(failOn)) return undefined;
  const typeBackend = values.get('typeBackend');
  if (typeBackend !== undefined && !(TYPE_BACKEND_OPTIONS as readonly string[]).includes(typeBackend)) return undefined;
  const options: ScanCliOptions = { failOn: failOn as FailOn, color: !flags.has('noColor') };
  if (values.has('tsconfig')) options.tsconfig = values.get('tsconfig');
  if (values.has('config')) options.config = values.get('config');
  if (format !== undefined) options.format = format as ScanCliOptions['format'];
  if (values.has('output')) options.output = values.get('output');
  if (flags.has('cache')) options.cache = true;
  if (values.has('cacheLocation')) options.cacheLocation = values.get('cacheLocation');
  if (typeBackend !== undefined) options.typeBackend = typeBackend as TypeBackendOption;
  if (flags.has('quiet')) options.quiet = true;
  return { paths, options };
}

/** Runs `argv` through the fast path: the exit code, or undefined when commander must handle it. */
export async function fastScan(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  const parsed = parseScanArguments(argv.slice(2));
  if (!parsed) return undefined;
  let code = EXIT_OK;
  try {
    await runScanCommand(parsed.paths, parsed.options, io, (c) => {
      code = c;
    });
  } catch (error) {
    return cliErrorCode(error, io);
  }
  return code;
}
