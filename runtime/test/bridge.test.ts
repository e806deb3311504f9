import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RunnerError, RunnerLoadError, createRunner, type Runner } from '@loop-audit/runtime';
import { Gate } from './gate.js';
import { fixture, fixturePath } from './helpers.js';

const math = fixture('math.mjs');
const runner: Runner = createRunner({ timeoutMs: 20_000 });
afterAll(() => runner.shutdown());

describe('defineSync round trip', () => {
  it('returns the awaited result of an async export, synchronously', () => {
    const add = runner.defineSync<(a: number, b: number) => Promise<number>>(math, 'add');
    const result: number = add(2, 3);
    expect(result).toBe(5);
    expect(add(-1, 1)).toBe(0);
  });

  it('runs the export in the worker thread, not the caller', () => {
    const info = runner.defineSync(math, 'getThreadInfo')() as { threadId: number; isMainThread: boolean };
    expect(info.isMainThread).toBe(false);
    expect(info.threadId).toBe(runner.health().workerThreadId);
  });

  it('structured-clones arguments and results both ways', () => {
    const roundTrip = runner.defineSync(math, 'roundTrip');
    const date = new Date('2024-01-15T10:30:00Z');
    const map = new Map<string, unknown>([['k', [1, { deep: true }]]]);
    const bytes = new Uint8Array([1, 2, 3]);
    expect(roundTrip(date)).toEqual({ value: date, type: '[object Date]' });
    expect(roundTrip(map)).toEqual({ value: map, type: '[object Map]' });
    expect(roundTrip(bytes)).toEqual({ value: bytes, type: '[object Uint8Array]' });
    expect(roundTrip(undefined)).toEqual({ value: undefined, type: '[object Undefined]' });
    expect(roundTrip(null)).toEqual({ value: null, type: '[object Null]' });
  });

  it('passes zero, one and many arguments faithfully', () => {
    expect(runner.defineSync(math, 'noArgs')()).toBe(0);
    expect(runner.defineSync(math, 'sum')(1, 2, 3, 4)).toBe(10);
    expect(runner.defineSync(math, 'sum')([1])).toBe('0' + '1');
    expect(runner.defineSync(math, 'echo')([1, 2])).toEqual([1, 2]);
  });

  it('bridges a plain synchronous export too', () => {
    expect(runner.defineSync(math, 'syncDouble')(21)).toBe(42);
  });

  it('keeps module state across calls: the module is loaded once per worker', () => {
    const increment = runner.defineSync(math, 'increment');
    const first = increment() as number;
    expect(increment()).toBe(first + 1);
    // A second definition of the same export shares the same loaded module.
    expect(runner.defineSync(math, 'increment')()).toBe(first + 2);
  });

  it('supports bridges defined inline, at every call, as the autofix may write them', () => {
    let total = 0;
    for (let i = 0; i < 2_000; i++) total += runner.defineSync(math, 'add')(i, 1) as number;
    expect(total).toBe((1_999 * 2_000) / 2 + 2_000);
    // Options differ per definition even though the loaded export is shared.
    const gate = new Gate();
    expect(runner.defineSync(math, 'holdUntilOpen', { timeoutMs: 20, default: 'short' })(gate.buffer, 'x')).toBe('short');
    gate.open();
    expect(runner.defineSync(math, 'sleepThen', { timeoutMs: 20_000 })(1, 'long enough')).toBe('long enough');
  });

  it('accepts a URL, a file URL string and an absolute path; rejects a relative path', () => {
    expect(runner.defineSync(math, 'add')(1, 1)).toBe(2);
    expect(runner.defineSync(math.href, 'add')(1, 2)).toBe(3);
    expect(runner.defineSync(fixturePath('math.mjs'), 'add')(1, 3)).toBe(4);
    expect(runner.defineSync(pathToFileURL(fixturePath('math.cjs')), 'multiply')(3, 4)).toBe(12);
    expect(() => runner.defineSync('./fixtures/math.mjs', 'add')).toThrow(/import\.meta\.url/);
  });

  it('defaults the export name to "default"', () => {
    const source = 'data:text/javascript,export default async (x) => x + 1;';
    expect(runner.defineSync(source)(1)).toBe(2);
  });
});

describe('error propagation', () => {
  it('rebuilds the error with name, message, stack, cause and own properties', () => {
    const fail = runner.defineSync(math, 'failWithCause');
    let caught: unknown;
    try {
      fail('email is invalid');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    const error = caught as Error & { status: number; details: unknown; cause: Error & { code: string } };
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe('email is invalid');
    expect(error.status).toBe(422);
    expect(error.details).toEqual({ field: 'email', rules: ['format'] });
    // The worker's frames, then the caller's.
    expect(error.stack).toMatch(/failWithCause \(.*fixtures\/math\.mjs:\d+:\d+\)/);
    expect(error.stack).toContain('<@loop-audit/runtime sync call>');
    expect(error.stack).toContain('bridge.test.ts');
    expect(error.cause).toBeInstanceOf(RangeError);
    expect(error.cause.message).toBe('root cause');
    expect(error.cause.code).toBe('E_ROOT');
    expect(error).not.toBeInstanceOf(RunnerError);
  });

  it('passes thrown non-Error values through as they are', () => {
    expect(() => runner.defineSync(math, 'throwValue')()).toThrow(expect.objectContaining({ code: 42, reason: 'not an Error' }) as never);
  });

  it('reports a result that cannot be cloned as a TypeError, and keeps working', () => {
    expect(() => runner.defineSync(math, 'returnFunction')()).toThrow(/could not be sent to the caller/);
    expect(runner.defineSync(math, 'add')(1, 2)).toBe(3);
  });

  it('refuses a re-entrant call made by a getter while an argument is being cloned', () => {
    const echo = runner.defineSync(math, 'echo');
    const sneaky = {
      get value(): unknown {
        return echo('inner');
      },
    };
    expect(() => echo(sneaky)).toThrow(expect.objectContaining({ code: 'ERR_RUNNER_REENTRANT' }) as never);
    expect(echo('outer')).toBe('outer');
  });

  it('throws DataCloneError for arguments that cannot be cloned, without sending anything', () => {
    const echo = runner.defineSync(math, 'echo');
    expect(() => echo(() => 1)).toThrow(/could not be cloned/);
    expect(echo('next')).toBe('next');
  });
});

describe('module load failures', () => {
  it.each([
    ['a missing export', math, 'nope', /no export named 'nope'/],
    ['an export that is not a function', math, 'notAFunction', /is a number, not a function/],
    ['a syntax error', fixture('broken-syntax.mjs'), 'f', /SyntaxError|Unexpected token/],
    ['a top-level throw', fixture('throws-on-load.mjs'), 'f', /module top-level failure/],
    ['a missing file', fixture('does-not-exist.mjs'), 'f', /Cannot find module|ERR_MODULE_NOT_FOUND/],
  ])('%s gives a RunnerLoadError and the runner keeps working', (_label, url, name, pattern) => {
    const restartsBefore = runner.health().restarts;
    let caught: unknown;
    try {
      runner.defineSync(url, name)();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RunnerLoadError);
    const error = caught as RunnerLoadError;
    expect(error.code).toBe('ERR_RUNNER_LOAD');
    expect(`${error.message}\n${String((error.cause as Error | undefined)?.message)}`).toMatch(pattern);
    expect(runner.health().lastError).toMatchObject({ source: 'load', name: 'RunnerLoadError' });
    expect(runner.defineSync(math, 'add')(2, 2)).toBe(4);
    // A load failure is not a crash: same worker.
    expect(runner.health().restarts).toBe(restartsBefore);
  });
});

describe('syncFunction (makeSynchronous drop-in)', () => {
  it('ships a self-contained async function to the same worker', () => {
    // No import() here: vitest rewrites it in this file's functions, and the worker runs the
    // rewritten source. A plain node caller using import() is covered by exits-alone.mjs.
    const threadOf = runner.syncFunction(async () => process.getBuiltinModule('node:worker_threads').threadId);
    expect(threadOf()).toBe(runner.health().workerThreadId);
    const hash = runner.syncFunction(async (text: string) => {
      const { createHash } = process.getBuiltinModule('node:crypto');
      return createHash('sha256').update(text).digest('hex').slice(0, 8);
    });
    expect(hash('abc')).toBe('ba7816bf');
  });

  it('accepts function declarations and method shorthand', () => {
    async function named(a: number, b: number): Promise<number> {
      return a * b;
    }
    const holder = {
      async method(x: string): Promise<string> {
        return x.toUpperCase();
      },
    };
    expect(runner.syncFunction(named)(6, 7)).toBe(42);
    expect(runner.syncFunction(holder.method)('up')).toBe('UP');
  });

  it('rejects a function a bundler rewrote (its module helpers do not exist in the worker), saying what to do instead', () => {
    const bundled = new Function('id', 'return __nccwpck_require__(612).lookup(id)') as (id: string) => unknown;
    expect(() => runner.syncFunction(bundled)).toThrow(/rewritten \(it calls __nccwpck_require__.*process\.getBuiltinModule/);
  });

  it('rejects bound and native functions up front', () => {
    expect(() => runner.syncFunction(Math.max)).toThrow(TypeError);
    expect(() => runner.syncFunction((async (x: number) => x).bind(null))).toThrow(/native or bound/);
  });

  it('reports a closure over a caller variable as the error it is in the worker', () => {
    const outside = 3;
    const usesClosure = runner.syncFunction(async (x: number) => x * outside);
    expect(() => usesClosure(2)).toThrow(/outside is not defined/);
  });
});

describe('{ default } (safe variant)', () => {
  it('returns the default on error, on load failure and on timeout, and the result otherwise', () => {
    const safeFail = runner.defineSync(math, 'failWithCause', { default: 'fallback' });
    expect(safeFail('x')).toBe('fallback');
    expect(runner.health().lastError).toMatchObject({ source: 'call', name: 'ValidationError' });
    expect(runner.defineSync(math, 'nope', { default: null })()).toBeNull();
    const gate = new Gate();
    expect(runner.defineSync(math, 'holdUntilOpen', { timeoutMs: 50, default: 'timed out' })(gate.buffer, 'late')).toBe('timed out');
    gate.open();
    expect(runner.defineSync(math, 'add', { default: -1 })(1, 2)).toBe(3);
  });
});
