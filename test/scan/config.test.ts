import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES, loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import plugin from '../../src/eslint-plugin.js';
import { scan } from '../../src/scan/scan.js';
import { cleanupProjects, DISEASED_TS, makeProject, TSCONFIG } from './helpers.js';
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { repoRoot } from './helpers.js';

afterAll(cleanupProjects);

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^\s+- /, ''));
  }
  return [];
}

const GOOD = {
  $schema: './node_modules/loop-audit/schema/config.schema.json',
  rules: { 'no-sync-wrapper': 'error', 'loop-audit/no-floating-promise': ['warn', { allowVoid: false }], 'no-loop-per-call': ['off'] },
  include: ['src/**'],
  exclude: ['src/generated/**'],
  phases: [
    { name: 'stabilize', description: 'no loop per call', rules: ['no-loop-per-call', 'loop-audit/no-sync-bridge'], order: 1 },
    { name: 'data-layer', globs: ['**/repositories/**'], rules: ['no-sync-wrapper'] },
  ],
};

const BAD: [unknown, string][] = [
  [{ phases: [GOOD.phases[0], GOOD.phases[1], { name: 'x', rulez: ['no-sync-wrapper'] }] }, 'phases[2].rulez: unknown key'],
  [{ phases: [{ name: 'x', rulez: [] }] }, 'phases[0].rules: is required'],
  [{ phases: [{ rules: [] }] }, 'phases[0].name: is required'],
  [{ phases: [{ name: 'a', rules: ['no-such-rule'] }] }, 'phases[0].rules[0]: unknown rule "no-such-rule"'],
  [
    {
      phases: [
        { name: 'a', rules: [] },
        { name: 'a', rules: [] },
      ],
    },
    'phases[1].name: duplicate phase name "a"',
  ],
  [{ phases: [{ name: 'a', rules: [], order: 'first' }] }, 'phases[0].order: must be a number'],
  [{ phases: {} }, 'phases: must be an array'],
  [{ rule: {} }, 'rule: unknown key'],
  [{ rules: { 'no-such': 'error' } }, 'rules["no-such"]: unknown rule "no-such"'],
  [{ rules: { 'no-sync-bridge': 'fatal' } }, 'rules["no-sync-bridge"]: severity must be one of'],
  [{ rules: { 'no-sync-bridge': ['error', { nope: 1 }] } }, 'rules["no-sync-bridge"][1].nope: unknown option'],
  [{ rules: { 'no-floating-promise': ['error', { allowVoid: 'yes' }] } }, 'rules["no-floating-promise"][1].allowVoid: must be boolean'],
  [{ rules: { 'no-sync-bridge': 'error', 'loop-audit/no-sync-bridge': 'warn' } }, 'rules["loop-audit/no-sync-bridge"]: the same rule is already configured'],
  [{ include: 'src' }, 'include: must be an array of strings'],
  [{ exclude: [''] }, 'exclude[0]: must be a non-empty string'],
];

describe('configuration', () => {
  it('accepts a full configuration', () => {
    expect(problems(GOOD)).toEqual([]);
  });

  it.each(BAD)('rejects %j naming the bad key', (raw, expected) => {
    expect(problems(raw).some((p) => p.startsWith(expected))).toBe(true);
  });

  it('the shipped JSON Schema agrees with the validator on these cases', () => {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schema/config.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(GOOD)).toBe(true);
    // Rule options and duplicate names are checked by the validator only (the schema cannot know every rule's options).
    for (const [raw, message] of BAD.filter(([, m]) => !/unknown option|must be boolean|duplicate|already configured/.test(m))) {
      expect(validate(raw), message).toBe(false);
    }
  });

  it("defaults to the severities of the plugin's recommended config", () => {
    const recommended = Object.fromEntries(Object.entries(plugin.configs.recommended.rules).map(([id, entry]) => [id.replace('loop-audit/', ''), entry]));
    expect(DEFAULT_SEVERITIES).toEqual(recommended);
  });

  it('is found in loop-audit.config.json or package.json "loopAudit" (nearest up the tree), both at once is an error', async () => {
    const fromFile = makeProject({ 'loop-audit.config.json': JSON.stringify({ rules: { 'no-sync-wrapper': 'off' } }), 'src/x/.keep': '' });
    expect((await loadConfig(path.join(fromFile, 'src/x'))).rules['no-sync-wrapper'].severity).toBe('off');
    const fromPackage = makeProject({ 'package.json': JSON.stringify({ name: 'p', loopAudit: { rules: { 'no-sync-wrapper': 'error' } } }) });
    const loaded = await loadConfig(fromPackage);
    expect(loaded.rules['no-sync-wrapper'].severity).toBe('error');
    expect(loaded.file).toBe(path.join(fromPackage, 'package.json'));
    const both = makeProject({ 'package.json': JSON.stringify({ loopAudit: {} }), 'loop-audit.config.json': '{}' });
    await expect(loadConfig(both)).rejects.toThrow(/keep one/);
    const badJson = makeProject({ 'loop-audit.config.json': '{ rules: ' });
    await expect(loadConfig(badJson)).rejects.toThrow(/is not valid JSON/);
    const badKey = makeProject({ 'package.json': JSON.stringify({ loopAudit: { phases: [{ name: 'a', rules: [], rulez: 1 }] } }) });
    await expect(loadConfig(badKey)).rejects.toThrow(/package\.json \("loopAudit"\)[\s\S]*phases\[0\]\.rulez: unknown key/);
  });

  it('severities and options reach the scan: off skips a rule, warn lowers it', async () => {
    const root = makeProject({
      'tsconfig.json': TSCONFIG,
      'loop-audit.config.json': JSON.stringify({ rules: { 'no-loop-per-call': 'off', 'no-floating-promise': 'warn' } }),
      'src/a.ts': DISEASED_TS,
    });
    const result = await scan({ cwd: root });
    expect(result.findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(['no-floating-promise warn']);
  });
});
