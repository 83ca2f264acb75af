import {ERROR_CATALOGUE, type ErrorSpec} from './catalogue.js';

/** The exit code column: return codes end a command with 3 (sent by the server) or 4 (met by the client). */
function exitOf(e: ErrorSpec): string {
  if (e.exit !== undefined) return String(e.exit);
  return e.wireCode === undefined ? '1' : '3 / 4';
}

/**
 * The catalogue as the Markdown table that docs/errors.md carries between its
 * `<!-- errors:begin -->` and `<!-- errors:end -->` markers; a test compares the two.
 */
export function errorCatalogueMarkdown(): string {
  const rows = ERROR_CATALOGUE.map((e) =>
    `| \`${e.code}\` | ${e.wireCode ?? ''} | ${exitOf(e)} | ${e.retryable ? 'yes' : 'no'} | ${e.summary} | ${e.hint} |`);
  return ['| code | wire code | exit | retryable | what happened | likely cause / what to do |',
    '|---|---|---|---|---|---|',
    ...rows].join('\n');
}
