import { afterAll, describe, expect, it } from 'vitest';
import { normalizeDistribution, readPythonManifest } from '../../src/python/manifests.js';
import { declaredEncoding } from '../../src/python/source.js';
import { DEFAULT_PHASES, phaseMatcher } from '../../src/progress/phases.js';
import { scan } from '../../src/scan/scan.js';
import { cleanupProjects, makeProject } from '../scan/helpers.js';

afterAll(() => cleanupProjects());

describe('Python manifests', () => {
  it('reads dependencies and console scripts from pyproject.toml (PEP 621 and Poetry), setup.cfg, requirements files and Pipfile', () => {
    const root = makeProject({
      'pyproject.toml': `[project]
name = "x"
dependencies = ["nest_asyncio~=1.6.0", "httpx>=0.27"]
[project.optional-dependencies]
dev = ["Syncer==2.0"]
[project.scripts]
x = "pkg.cli:main"
[tool.poetry.dependencies]
python = "^3.11"
Unsync = "*"
[tool.poetry.group.test.dependencies]
pytest = "*"
[tool.poetry.scripts]
y = "pkg.tools:run_tool"
`,
      'setup.cfg': '[options]\ninstall_requires =\n    nest-asyncio\n    requests\n[options.entry_points]\nconsole_scripts =\n    z = pkg.zed:start\n',
      'requirements.txt': '# pinned\nnest_asyncio==1.5.4  # old\n-r other.txt\naiohttp[speedups]>=3\n',
      Pipfile: '[packages]\nnest-asyncio = "*"\n',
    });
    const manifest = readPythonManifest(root);
    expect(manifest.entryPoints).toEqual([
      { module: 'pkg.cli', function: 'main' },
      { module: 'pkg.tools', function: 'run_tool' },
      { module: 'pkg.zed', function: 'start' },
    ]);
    expect(manifest.dependencies.map((d) => `${d.name} @ ${d.manifest}`).sort()).toEqual(
      [
        'nest-asyncio @ pyproject.toml [project.dependencies]',
        'httpx @ pyproject.toml [project.dependencies]',
        'syncer @ pyproject.toml [project.optional-dependencies.dev]',
        'unsync @ pyproject.toml [tool.poetry.dependencies]',
        'pytest @ pyproject.toml [tool.poetry.group.test.dependencies]',
        'nest-asyncio @ setup.cfg [options] install_requires',
        'requests @ setup.cfg [options] install_requires',
        'nest-asyncio @ requirements.txt',
        'aiohttp @ requirements.txt',
        'nest-asyncio @ Pipfile [packages]',
      ].sort(),
    );
  });

  it('a broken pyproject.toml declares nothing (and does not throw)', () => {
    const root = makeProject({ 'pyproject.toml': '[project\nname = ' });
    expect(readPythonManifest(root)).toEqual({ entryPoints: [], dependencies: [] });
  });

  it('normalises distribution names as PEP 503 does', () => {
    expect(normalizeDistribution('Nest_Asyncio')).toBe('nest-asyncio');
    expect(normalizeDistribution('zope.interface')).toBe('zope-interface');
  });

  it('a console script is an entry point: its asyncio.run is not a loop per call', async () => {
    const code = 'import asyncio\n\ndef start():\n    asyncio.run(serve_forever())\n    return 0\n';
    const without = makeProject({ 'pkg/__init__.py': '', 'pkg/zed.py': code });
    const withScript = makeProject({ 'pkg/__init__.py': '', 'pkg/zed.py': code, 'pyproject.toml': '[project]\nname = "z"\n[project.scripts]\nz = "pkg.zed:start"\n' });
    const loops = async (cwd: string) => (await scan({ cwd, config: false })).findings.filter((f) => f.ruleId === 'no-loop-per-call').length;
    expect(await loops(without)).toBe(1);
    expect(await loops(withScript)).toBe(0);
  });
});

describe('PEP 263 encoding declarations', () => {
  it('finds the declaration on the first or second line only', () => {
    expect(declaredEncoding(Buffer.from('# -*- coding: latin-1 -*-\nx = 1\n'))).toBe('latin-1');
    expect(declaredEncoding(Buffer.from('#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n'))).toBe('cp1252');
    expect(declaredEncoding(Buffer.from('# coding=utf8\n'))).toBe('utf-8');
    expect(declaredEncoding(Buffer.from('import os\n# coding: latin-1\n'))).toBeUndefined();
    expect(declaredEncoding(Buffer.from('\n\n# coding: latin-1\n'))).toBeUndefined();
  });
});

describe('default phases and Python layouts', () => {
  const layerOf = (file: string): string[] => DEFAULT_PHASES.filter((phase) => phase.globs.length > 0 && phaseMatcher(phase)(file)).map((phase) => phase.name);
  it('matches the usual Python layouts', () => {
    expect(layerOf('src/app/repositories/appointment_repository_msgraph.py')).toEqual(['data-layer']);
    expect(layerOf('app/crud/users.py')).toEqual(['data-layer']);
    expect(layerOf('app/user_repository.py')).toEqual(['data-layer']);
    expect(layerOf('app/services/calendar.py')).toEqual(['services']);
    expect(layerOf('billing/services.py')).toEqual(['services']);
    expect(layerOf('billing/invoice_service.py')).toEqual(['services']);
    expect(layerOf('app/api/v1/users.py')).toEqual(['application']);
    expect(layerOf('app/web/views.py')).toEqual(['application']);
    expect(layerOf('shop/views.py')).toEqual(['application']);
    expect(layerOf('app/routers/items.py')).toEqual(['application']);
    expect(layerOf('shop/management/commands/sync.py')).toEqual(['application']);
    expect(layerOf('app/jobs/nightly.py')).toEqual(['background-jobs']);
    expect(layerOf('app/workers/consumer.py')).toEqual(['background-jobs']);
    expect(layerOf('shop/tasks.py')).toEqual(['background-jobs']);
    expect(layerOf('app/tasks/email.py')).toEqual(['background-jobs']);
    expect(layerOf('core/utilities/async_runner.py')).toEqual([]);
    // TypeScript files keep their layers: a one-module layer name is Python's only.
    expect(layerOf('src/services.ts')).toEqual([]);
    expect(layerOf('src/tasks/build.ts')).toEqual([]);
  });
});
