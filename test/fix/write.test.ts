import { mkdirSync, mkdtempSync, readdirSync, realpathSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveWritableTarget, unifiedDiff, UnsafeWriteError, writeFileAtomic } from '../../src/fix/write.js';

let root: string;
let outside: string;

beforeEach(() => {
  const base = mkdtempSync(path.join(tmpdir(), 'loop-audit-write-'));
  root = path.join(base, 'project');
  outside = path.join(base, 'elsewhere');
  mkdirSync(path.join(root, 'src'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'src/app.ts'), 'old\n');
  writeFileSync(path.join(outside, 'secret.ts'), 'secret\n');
});

describe('resolveWritableTarget', () => {
  it('accepts a regular file inside the root', () => {
    expect(resolveWritableTarget(root, 'src/app.ts')).toBe(path.join(realRoot(), 'src/app.ts'));
  });

  it('refuses a path that climbs out of the root', () => {
    expect(() => resolveWritableTarget(root, '../elsewhere/secret.ts')).toThrow(UnsafeWriteError);
  });

  it('refuses to write through a symlinked file, even one pointing inside', () => {
    symlinkSync(path.join(root, 'src/app.ts'), path.join(root, 'src/link.ts'));
    expect(() => resolveWritableTarget(root, 'src/link.ts')).toThrow(/symbolic link/);
  });

  it('refuses a file whose folder is a symlink out of the root', () => {
    symlinkSync(outside, path.join(root, 'vendor'));
    expect(() => resolveWritableTarget(root, 'vendor/secret.ts')).toThrow(/outside the project root/);
  });

  it('refuses a file that does not exist', () => {
    expect(() => resolveWritableTarget(root, 'src/missing.ts')).toThrow(/does not exist/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the content, keeps the mode and leaves no temporary file', () => {
    const file = path.join(root, 'src/app.ts');
    chmodSync(file, 0o640);
    writeFileAtomic(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(path.join(root, 'src'))).toEqual(['app.ts']);
  });
});

describe('unifiedDiff', () => {
  it('prints a git-style unified diff with forward-slash names', () => {
    const diff = unifiedDiff(path.join('src', 'app.ts'), 'a\nb\nc\n', 'a\nB\nc\n');
    expect(diff).toContain('--- a/src/app.ts');
    expect(diff).toContain('+++ b/src/app.ts');
    expect(diff).toContain('-b\n+B');
  });
});

function realRoot(): string {
  return realpathSync(root);
}
