import {ERROR_CATALOGUE} from './catalogue.js';

/**
 * The catalogue as the Markdown table that docs/errors.md carries between its
 * `<!-- errors:begin -->` and `<!-- errors:end -->` markers; a test compares the two.
 */
export function errorCatalogueMarkdown(): string {
  const rows = ERROR_CATALOGUE.map((e) =>
    `| \`${e.code}\` | ${e.wireCode ?? ''} | ${e.retryable ? 'yes' : 'no'} | ${e.summary} | ${e.hint} |`);
  return ['| code | wire code | retryable | what happened | likely cause / what to do |', '|---|---|---|---|---|',
    ...rows].join('\n');
}
