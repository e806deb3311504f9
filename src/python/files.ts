/** Python sources: what the scanner hands to the Python frontend instead of TypeScript. */
export const PYTHON_EXTENSIONS = ['.py'] as const;

export function isPythonFile(file: string): boolean {
  return file.toLowerCase().endsWith('.py');
}

/** Directories that hold installed or generated Python code, never the project's own: skipped wherever they are. */
export const PYTHON_SKIPPED_DIRS = [
  '__pycache__',
  'site-packages',
  'dist-packages',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.eggs',
  '__pypackages__',
] as const;
