import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { API, Project } from 'typescript7/unstable/sync';

/**
 * TypeScript 7 (the Go compiler) as a type backend: its synchronous JavaScript API starts the
 * `tsc` binary of the `typescript@7` package with `--api` and talks to it over stdio. That
 * protocol is unversioned, so loop-audit depends on one exact version of its own, installed
 * under the alias `typescript7`: a project's own `typescript` (6 or 7, or none) is never used
 * for this, and never shadowed.
 */
export const TYPESCRIPT7_VERSION = '7.0.2';

const requireHere = createRequire(import.meta.url);

export type SyncApiModule = typeof import('typescript7/unstable/sync');
export type AstModule = typeof import('typescript7/unstable/ast');

export interface Typescript7 {
  api: SyncApiModule;
  ast: AstModule;
  /** The `typescript7` package's folder (its package.json identifies the tool in the scan cache). */
  packageDir: string;
}

/** Why TypeScript 7 cannot serve a scan: the scanner falls back to TypeScript 6 and says so. */
export class Typescript7Unavailable extends Error {
  override readonly name = 'Typescript7Unavailable';

  constructor(
    message: string,
    /** The tsconfig TypeScript 7 could not load, when it is one project's problem. */
    readonly configFile?: string,
  ) {
    super(message);
  }
}

let loaded: Typescript7 | undefined;

/**
 * The pinned TypeScript 7 API, loaded once per process. Synchronously (`require` of its ES
 * modules, which Node 20.19 allows), so a scan can start the Go process from any point of its
 * synchronous set-up. Throws Typescript7Unavailable.
 */
export function loadTypescript7(): Typescript7 {
  if (loaded) return loaded;
  let packageJson: string;
  try {
    packageJson = requireHere.resolve('typescript7/package.json');
  } catch {
    throw new Typescript7Unavailable(`typescript@${TYPESCRIPT7_VERSION} is not installed (loop-audit's dependency "typescript7")`);
  }
  const version = (requireHere(packageJson) as { version?: string }).version;
  if (version !== TYPESCRIPT7_VERSION) {
    throw new Typescript7Unavailable(`typescript7 is ${version ?? 'of no version'}, but this loop-audit speaks the API of ${TYPESCRIPT7_VERSION} only`);
  }
  try {
    const api = requireHere('typescript7/unstable/sync') as SyncApiModule;
    const ast = requireHere('typescript7/unstable/ast') as AstModule;
    loaded = { api, ast, packageDir: path.dirname(packageJson) };
  } catch (error) {
    throw new Typescript7Unavailable(`typescript@${TYPESCRIPT7_VERSION} did not load: ${(error as Error).message}`);
  }
  return loaded;
}

/** A TypeScript 7 project opened for a scan: a tsconfig as is, or one listing exactly the roots a run needs. */
export interface Typescript7ProjectRequest {
  /** The project's tsconfig; undefined for the files no tsconfig includes. */
  configFile: string | undefined;
  /**
   * The program's root files when they are not the tsconfig's own (a warm run's dirty files, the
   * inferred project's files): a virtual tsconfig beside the real one extends it and lists these.
   */
  roots?: readonly string[];
  /** Compiler options (tsconfig JSON form) for the inferred project. */
  inferredOptions?: Record<string, unknown>;
  /** Directory of the inferred project's virtual tsconfig (where type roots are looked up from). */
  inferredDir?: string;
}

export interface OpenedProject {
  request: Typescript7ProjectRequest;
  project: Project;
  /** The tsconfig name TypeScript 7 knows the project by (virtual or real). */
  configName: string;
}

/**
 * Option errors after which TypeScript 7 builds another program than TypeScript 6 would (it drops
 * or misreads the option): removed (5102, 5108) and deprecated-to-stop (5101, 5107) options,
 * unknown options and invalid values (5023, 5024, 5025, 6046), module and resolution mismatches
 * (5095, 5109, 5110), an unreadable or circular tsconfig and one that lists no inputs (5083,
 * 18000, 18003). Emit-only errors (`rootDir` must be set, outputs overwrite inputs) and missing
 * type packages change no type answer, and TypeScript 6 meets the latter alike: not reasons to
 * fall back.
 */
const PROGRAM_SHAPING_OPTION_ERRORS = new Set([5023, 5024, 5025, 5083, 5095, 5101, 5102, 5107, 5108, 5109, 5110, 6046, 18000, 18003]);

let virtualCounter = 0;
/** Go processes started in this Node process (scan statistics report each run's share). */
let processesStarted = 0;

export function typescript7ProcessesStarted(): number {
  return processesStarted;
}

/**
 * One Go process per scan, opened only when some file must be analysed with types: a warm run
 * that reuses every result starts none.
 */
export class Typescript7Session {
  private readonly virtualConfigs = new Map<string, string>();
  private readonly hasVirtualConfigs: boolean;
  private closed = false;
  /** Holds the inferred project's tsconfig, when there is one. */
  private tempDir: string | undefined;
  /** The tsconfigs whose opening was sent ahead (see `openAhead`), in order. */
  private sentAhead: readonly string[] | undefined;

  private constructor(
    readonly typescript7: Typescript7,
    private readonly api: API,
    virtualConfigs: boolean,
  ) {
    this.hasVirtualConfigs = virtualConfigs;
  }

  /**
   * Starts the Go process. `virtualConfigs` must be true when any project will be opened with
   * explicit roots: only then does the process ask this one to read files (a virtual tsconfig
   * exists only here), which costs a round trip per file it reads.
   */
  static start(typescript7: Typescript7, cwd: string, virtualConfigs: boolean): Typescript7Session {
    let session: Typescript7Session | undefined = undefined;
    const readFile = (fileName: string): string | undefined => session?.virtualConfigs.get(path.resolve(fileName));
    try {
      const api = new typescript7.api.API({ cwd, ...(virtualConfigs ? { fs: { readFile } } : {}) });
      processesStarted++;
      // The channel reads the process's stdout with readSync, but Node's stream over that pipe
      // still reads on its own whenever the event loop turns (pausing it only stops 'data'
      // events): an answer that arrives while this process awaits something (a request sent
      // ahead, see `openAhead`) would land in the stream's buffer and readSync would wait forever.
      channelOf(api)?.child?.stdout?._handle?.readStop?.();
      session = new Typescript7Session(typescript7, api, virtualConfigs);
      return session;
    } catch (error) {
      throw new Typescript7Unavailable(`TypeScript ${TYPESCRIPT7_VERSION} did not start: ${(error as Error).message}`);
    }
  }

  /**
   * Sends the request that opens these tsconfigs now and returns at once: the Go process parses
   * and binds their programs while this process goes on (loading TypeScript 6, parsing the files
   * to analyse); `open` then collects the answer. Only for a session without virtual tsconfigs:
   * one that must read files through this process would wait for it.
   */
  openAhead(configFiles: readonly string[]): void {
    if (this.hasVirtualConfigs || this.sentAhead || configFiles.length === 0) return;
    const channel = channelOf(this.api);
    if (!channel) return;
    try {
      channel.writeTuple(MSG_REQUEST, channel.getMethodBuf('initialize'), 'null');
      channel.writeTuple(MSG_REQUEST, channel.getMethodBuf('updateSnapshot'), JSON.stringify({ openProjects: configFiles }));
    } catch {
      return;
    }
    this.sentAhead = configFiles;
    // The API's own calls for these two requests must read their answers without writing them again.
    let pending = 2;
    const write = channel.writeTuple;
    channel.writeTuple = function (this: unknown, type: number, name: Buffer, payload: string | Uint8Array) {
      if (pending > 0 && type === MSG_REQUEST) {
        pending--;
        return;
      }
      return write.call(this, type, name, payload);
    };
  }

  /**
   * Opens the projects in one snapshot (TypeScript 7 builds their programs in parallel). Throws
   * Typescript7Unavailable when a tsconfig cannot be loaded as TypeScript 6 would load it: errors
   * in the tsconfig itself or in its compiler options (TypeScript 7 removed `baseUrl`,
   * `moduleResolution: node10`, `esModuleInterop: false`, ...), since their programs would differ.
   */
  open(requests: readonly Typescript7ProjectRequest[]): OpenedProject[] {
    const names = requests.map((request) => this.configNameFor(request));
    let projects: (Project | undefined)[];
    try {
      let snapshot = this.sentAhead ? this.api.updateSnapshot({ openProjects: [...this.sentAhead] }) : undefined;
      // Projects not sent ahead (referenced ones, virtual ones) open in a second snapshot; those sent ahead are reused.
      if (!snapshot || names.some((name) => !this.sentAhead!.includes(name))) snapshot = this.api.updateSnapshot({ openProjects: names });
      const opened = snapshot;
      projects = names.map((name) => opened.getProject(name));
    } catch (error) {
      throw new Typescript7Unavailable(`TypeScript ${TYPESCRIPT7_VERSION} could not open ${describe(requests)}: ${(error as Error).message}`);
    }
    return requests.map((request, i) => {
      const project = projects[i];
      if (!project) throw new Typescript7Unavailable(`TypeScript ${TYPESCRIPT7_VERSION} did not load ${describe([request])}`, request.configFile);
      const isError = (d: { category: number }): boolean => d.category === this.typescript7.api.DiagnosticCategory.Error;
      const problems = [
        ...project.program.getConfigFileParsingDiagnostics().filter(isError),
        ...project.program.getProgramDiagnostics().filter((d) => isError(d) && PROGRAM_SHAPING_OPTION_ERRORS.has(d.code)),
      ];
      if (problems.length > 0) {
        const first = problems[0]!;
        const where = first.fileName ? `${first.fileName}: ` : '';
        const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
        throw new Typescript7Unavailable(`TypeScript ${TYPESCRIPT7_VERSION} cannot load ${describe([request])}: ${where}TS${first.code} ${first.text}${more}`, request.configFile);
      }
      return { request, project, configName: names[i]! };
    });
  }

  /** Stops the Go process at once (it has nothing to save, and a polite stop makes it print "context canceled"). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const channel = channelOf(this.api);
    try {
      channel?.child?.kill('SIGKILL');
    } catch {
      // already gone
    }
    try {
      this.api.close();
    } catch {
      // the process is gone; nothing else to release
    }
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }

  /** Whether this session can open a project with explicit roots (it serves virtual tsconfigs). */
  get servesVirtualConfigs(): boolean {
    return this.hasVirtualConfigs;
  }

  private configNameFor(request: Typescript7ProjectRequest): string {
    if (request.configFile && !request.roots) return request.configFile;
    if (!request.configFile) return this.inferredConfig(request);
    if (!this.hasVirtualConfigs) throw new Typescript7Unavailable('internal: a project with explicit roots needs a session that serves virtual tsconfigs');
    // Beside the real one, so everything it resolves relative to its own place (type roots, `types`
    // entries, the extended file) resolves as for the real one; it exists only in this process.
    const name = path.join(path.dirname(request.configFile), `.loop-audit-${process.pid}-${++virtualCounter}.tsconfig.json`);
    this.virtualConfigs.set(name, JSON.stringify({ extends: request.configFile, files: request.roots ?? [], include: [] }));
    return name;
  }

  /**
   * The inferred project's tsconfig: a real file in a temporary folder (removed by `close`), so
   * the session that reads files itself can open it. Its type roots are the ones TypeScript 6
   * derives for a program without a tsconfig (every `node_modules/@types` from the working
   * directory up); nothing else it holds depends on where it is.
   */
  private inferredConfig(request: Typescript7ProjectRequest): string {
    this.tempDir ??= mkdtempSync(path.join(tmpdir(), 'loop-audit-ts7-'));
    const name = path.join(this.tempDir, `inferred-${++virtualCounter}.tsconfig.json`);
    const typeRoots: string[] = [];
    for (let dir = request.inferredDir ?? process.cwd(); ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', '@types');
      if (existsSync(candidate)) typeRoots.push(candidate);
      if (path.dirname(dir) === dir) break;
    }
    writeFileSync(name, JSON.stringify({ compilerOptions: { ...request.inferredOptions, typeRoots }, files: request.roots ?? [], include: [] }));
    return name;
  }
}

/** A request message of the API's synchronous channel (typescript7's api/syncChannel.js). */
const MSG_REQUEST = 1;

/** The parts of the API's synchronous channel (api/syncChannel.js of the pinned version) a session uses. */
interface SyncChannel {
  child?: { kill(signal: string): boolean; stdout?: { _handle?: { readStop?(): number } } };
  getMethodBuf(method: string): Buffer;
  writeTuple(type: number, name: Buffer, payload: string | Uint8Array): void;
}

function channelOf(api: API): SyncChannel | undefined {
  const channel = (api as unknown as { client?: { channel?: SyncChannel } }).client?.channel;
  return channel && typeof channel.writeTuple === 'function' && typeof channel.getMethodBuf === 'function' ? channel : undefined;
}

function describe(requests: readonly Typescript7ProjectRequest[]): string {
  return requests.map((request) => request.configFile ?? 'the files no tsconfig includes').join(', ');
}
