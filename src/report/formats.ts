import type { ScanResult } from '../scan/types.js';

export const FORMATS = ['pretty', 'json', 'sarif', 'github', 'markdown'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export interface FormatOptions {
  /** ANSI colours in the pretty format. */
  color?: boolean;
}

export type Formatter = (result: ScanResult, options?: FormatOptions) => string;

/** Loads one format's module only: the CLI's start-up (a warm cached scan) does not load the four others. */
export async function loadFormatter(format: ReportFormat): Promise<Formatter> {
  switch (format) {
    case 'pretty': {
      const { formatPretty } = await import('./pretty.js');
      return (result, options) => formatPretty(result, { color: options?.color ?? false });
    }
    case 'json':
      return (await import('./json.js')).formatJson;
    case 'sarif':
      return (await import('./sarif.js')).formatSarif;
    case 'github':
      return (await import('./github.js')).formatGithub;
    case 'markdown':
      return (await import('./markdown.js')).formatMarkdown;
  }
}
