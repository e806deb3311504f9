import type { ScanResult } from '../scan/types.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatMarkdown } from './markdown.js';
import { formatPretty } from './pretty.js';
import { formatSarif } from './sarif.js';

import type { FormatOptions, ReportFormat } from './formats.js';

export { FORMATS, loadFormatter, type FormatOptions, type Formatter, type ReportFormat } from './formats.js';

/** Renders a scan result in one of the report formats. */
export function formatReport(result: ScanResult, format: ReportFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'pretty':
      return formatPretty(result, { color: options.color ?? false });
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result);
    case 'github':
      return formatGithub(result);
    case 'markdown':
      return formatMarkdown(result);
  }
}

export { toJsonReport, type JsonReport } from './json.js';
export { toSarif } from './sarif.js';
export { escapeData, escapeProperty } from './github.js';
