import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';

/** A dependency a Python manifest declares, by its normalised name (PEP 503: lower case, runs of `-_.` as `-`). */
export interface PythonDependency {
  name: string;
  /** Where: `pyproject.toml [project.dependencies]`, `requirements.txt`, ... */
  manifest: string;
}

export interface PythonManifest {
  /** `module:function` of every console or GUI script. */
  entryPoints: { module: string; function: string }[];
  dependencies: PythonDependency[];
}

export function normalizeDistribution(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return undefined;
  }
}

/** The distribution name at the start of a PEP 508 requirement (`nest_asyncio~=1.6.0` → `nest-asyncio`). */
function requirementName(requirement: string): string | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement);
  return match ? normalizeDistribution(match[1]!) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function entryPoint(spec: string): { module: string; function: string } | undefined {
  const match = /^\s*([\w.]+)\s*:\s*([\w.]+)/.exec(spec);
  return match ? { module: match[1]!, function: match[2]!.split('.')[0]! } : undefined;
}

/**
 * What the Python manifests in `dir` declare: `pyproject.toml` (PEP 621 and Poetry), `setup.cfg`,
 * `requirements*.txt` and `Pipfile`. A manifest that does not parse declares nothing (the scan is
 * about code; a broken manifest is its build tool's to report).
 */
export function readPythonManifest(dir: string): PythonManifest {
  const entryPoints: PythonManifest['entryPoints'] = [];
  const dependencies: PythonDependency[] = [];
  const add = (names: Iterable<string | undefined>, manifest: string): void => {
    for (const name of names) if (name && !dependencies.some((d) => d.name === name && d.manifest === manifest)) dependencies.push({ name, manifest });
  };

  const pyproject = readText(path.join(dir, 'pyproject.toml'));
  if (pyproject !== undefined) {
    let data: Record<string, unknown> | undefined;
    try {
      data = parseToml(pyproject);
    } catch {
      data = undefined;
    }
    const project = isRecord(data?.project) ? data.project : undefined;
    if (project) {
      add(strings(project.dependencies).map(requirementName), 'pyproject.toml [project.dependencies]');
      if (isRecord(project['optional-dependencies'])) {
        for (const [group, list] of Object.entries(project['optional-dependencies'])) add(strings(list).map(requirementName), `pyproject.toml [project.optional-dependencies.${group}]`);
      }
      for (const key of ['scripts', 'gui-scripts']) {
        const scripts = project[key];
        if (isRecord(scripts)) for (const spec of Object.values(scripts)) if (typeof spec === 'string') pushEntry(entryPoints, spec);
      }
    }
    if (isRecord(data?.['dependency-groups'])) {
      for (const [group, list] of Object.entries(data['dependency-groups'])) add(strings(list).map(requirementName), `pyproject.toml [dependency-groups.${group}]`);
    }
    const poetry = isRecord(data?.tool) && isRecord(data.tool.poetry) ? data.tool.poetry : undefined;
    if (poetry) {
      if (isRecord(poetry.dependencies))
        add(
          Object.keys(poetry.dependencies)
            .filter((n) => n !== 'python')
            .map(normalizeDistribution),
          'pyproject.toml [tool.poetry.dependencies]',
        );
      if (isRecord(poetry['dev-dependencies'])) add(Object.keys(poetry['dev-dependencies']).map(normalizeDistribution), 'pyproject.toml [tool.poetry.dev-dependencies]');
      if (isRecord(poetry.group)) {
        for (const [group, value] of Object.entries(poetry.group)) {
          if (isRecord(value) && isRecord(value.dependencies)) add(Object.keys(value.dependencies).map(normalizeDistribution), `pyproject.toml [tool.poetry.group.${group}.dependencies]`);
        }
      }
      if (isRecord(poetry.scripts)) for (const spec of Object.values(poetry.scripts)) if (typeof spec === 'string') pushEntry(entryPoints, spec);
    }
  }

  const setupCfg = readText(path.join(dir, 'setup.cfg'));
  if (setupCfg !== undefined) {
    const sections = iniSections(setupCfg);
    add(lines(sections.get('options')?.get('install_requires')).map(requirementName), 'setup.cfg [options] install_requires');
    for (const spec of lines(sections.get('options.entry_points')?.get('console_scripts'))) pushEntry(entryPoints, spec.split('=').slice(1).join('='));
  }

  for (const name of ['requirements.txt', 'requirements-dev.txt', 'requirements-test.txt', 'requirements.in']) {
    const text = readText(path.join(dir, name));
    if (text === undefined) continue;
    add(
      text
        .split(/\r?\n/)
        .map((line) => line.replace(/#.*$/, '').trim())
        .filter((line) => line && !line.startsWith('-'))
        .map(requirementName),
      name,
    );
  }

  const pipfile = readText(path.join(dir, 'Pipfile'));
  if (pipfile !== undefined) {
    try {
      const data = parseToml(pipfile) as Record<string, unknown>;
      for (const key of ['packages', 'dev-packages']) if (isRecord(data[key])) add(Object.keys(data[key]).map(normalizeDistribution), `Pipfile [${key}]`);
    } catch {
      // not TOML: nothing declared
    }
  }
  return { entryPoints, dependencies };
}

function pushEntry(list: PythonManifest['entryPoints'], spec: string): void {
  const parsed = entryPoint(spec);
  if (parsed) list.push(parsed);
}

function lines(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\r?\n|;/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

/** setup.cfg's INI: section → key → value, continuation lines joined with newlines. */
function iniSections(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let key: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') continue;
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      section = new Map();
      sections.set(header[1]!.trim(), section);
      key = undefined;
      continue;
    }
    if (!section) continue;
    if (/^\s/.test(raw) && key !== undefined) {
      section.set(key, `${section.get(key)}\n${raw.trim()}`);
      continue;
    }
    const pair = /^([^=:]+)[=:](.*)$/.exec(raw);
    if (pair) {
      key = pair[1]!.trim();
      section.set(key, pair[2]!.trim());
    }
  }
  return sections;
}

/** The directories from `start` up to `stop` (inclusive) or the filesystem root. */
export function ancestors(start: string, stop: string | undefined): string[] {
  const dirs: string[] = [];
  for (let dir = start; ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (dir === stop || path.dirname(dir) === dir) break;
  }
  return dirs;
}
