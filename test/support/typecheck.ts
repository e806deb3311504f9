import { statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * `tsc --noEmit -p <tsconfig>` in-process, with the TypeScript API of this repository's
 * node_modules (the compiler the tests used to spawn): the same diagnostics in the same order,
 * formatted as tsc formats them on a pipe (`file(line,col): error TSnnnn: message`, file names
 * relative to `cwd`). A spawned tsc started Node, loaded the compiler and parsed the default
 * library and @types/node again for every check; here they are parsed once per test process.
 */
export interface TypeCheck {
  /** tsc's exit status: 0 clean; 1 or 2 (outputs skipped or not) with diagnostics. */
  status: number;
  /** What tsc prints on a pipe (no colours): every diagnostic, one after the other. */
  output: string;
}

/**
 * Parsed files of TypeScript's own libraries and of node_modules folders (unchanged since they
 * were parsed), shared between programs with the same source-affecting
 * options, as a language service's document registry shares them.
 */
const registry = ts.createDocumentRegistry();
const stable = new Map<string, ts.SourceFile>();
const libDirectory = path.dirname(ts.getDefaultLibFilePath({}));

function isStable(fileName: string): boolean {
  return fileName.startsWith(libDirectory + path.sep) || fileName.startsWith(libDirectory + '/') || /[\\/]node_modules[\\/]/.test(fileName);
}

function host(options: ts.CompilerOptions): ts.CompilerHost {
  const base = ts.createCompilerHost(options);
  const settings = registry.getKeyForCompilationSettings(options);
  return {
    ...base,
    getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate) {
      if (!isStable(fileName)) return base.getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
      const format = typeof languageVersionOrOptions === 'object' ? `${languageVersionOrOptions.languageVersion}:${languageVersionOrOptions.impliedNodeFormat}` : String(languageVersionOrOptions);
      // The file's stat in the key: a test that rewrites a declaration file under node_modules gets it parsed again.
      const stat = statSync(fileName, { throwIfNoEntry: false });
      const key = `${settings}|${format}|${fileName}|${stat?.mtimeMs}|${stat?.size}`;
      let file = stable.get(key);
      if (!file) {
        file = base.getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
        if (file) stable.set(key, file);
      }
      return file;
    },
  };
}

/** The diagnostics `tsc --noEmit` reports, gathered in the order tsc gathers them, and whether its emit step skipped its outputs. */
function compile(program: ts.Program): { diagnostics: ts.Diagnostic[]; emitSkipped: boolean } {
  const all = [...program.getConfigFileParsingDiagnostics()];
  const fromConfig = all.length;
  all.push(...program.getSyntacticDiagnostics());
  if (all.length === fromConfig) {
    all.push(...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics());
    if (all.length === fromConfig) all.push(...program.getSemanticDiagnostics());
    if (all.length === fromConfig && (program.getCompilerOptions().declaration || program.getCompilerOptions().composite)) all.push(...program.getDeclarationDiagnostics());
  }
  // Build info at most, under --noEmit; written nowhere here.
  const emitted = program.emit(undefined, () => undefined);
  all.push(...emitted.diagnostics);
  return { diagnostics: [...ts.sortAndDeduplicateDiagnostics(all)], emitSkipped: emitted.emitSkipped };
}

export function typeCheck(tsconfig: string, cwd = path.dirname(tsconfig)): TypeCheck {
  const configPath = path.resolve(cwd, tsconfig);
  const formatHost: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => cwd, getNewLine: () => '\n' };
  const read = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  if (read.error) return { status: 1, output: ts.formatDiagnostics([read.error], formatHost) };
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), { noEmit: true }, configPath);
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
    host: host(parsed.options),
  });
  const { diagnostics, emitSkipped } = compile(program);
  const status = diagnostics.length === 0 ? 0 : emitSkipped ? 1 : 2;
  return { status, output: ts.formatDiagnostics(diagnostics, formatHost) };
}
