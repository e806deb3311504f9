import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareSubject, SUBJECTS } from './subjects.mjs';
import { scan } from '../../src/scan/scan.js';
import { answersOfBothBackends } from '../../test/support/type-answers.js';

/**
 * The two type backends on the benchmark's real code bases (rxjs, the mongodb driver; downloaded
 * with `npm pack` into the gitignored bench/.work on first use): the same report, and the same
 * answer to every question about every call, discarded expression and identifier handed to a
 * call in their sources.
 */
describe.each(SUBJECTS.map((subject) => [`${subject.name}@${subject.version}`, subject] as const))('%s', (_label, subject) => {
  it('TypeScript 7 and TypeScript 6 report the same', { timeout: 600_000 }, async () => {
    const root = prepareSubject(subject);
    const seven = await scan({ cwd: root, paths: ['src'], config: false, typeBackend: 'typescript7' });
    const six = await scan({ cwd: root, paths: ['src'], config: false, typeBackend: 'typescript6' });
    expect(seven.typeBackend).toBe('typescript7');
    expect(six.typeBackend).toBe('typescript6');
    expect(seven.files.length).toBeGreaterThan(100);
    expect(seven.errors).toEqual([]);
    expect({ files: seven.files, findings: seven.findings }).toEqual({ files: six.files, findings: six.findings });
  });

  it('both backends answer every question alike, node by node', { timeout: 600_000 }, () => {
    const root = prepareSubject(subject);
    const { six, seven, nodes } = answersOfBothBackends(path.join(root, 'tsconfig.json'), (file) => file.startsWith(path.join(root, 'src') + path.sep));
    expect(nodes).toBeGreaterThan(2000);
    expect(seven).toEqual(six);
  });
});
