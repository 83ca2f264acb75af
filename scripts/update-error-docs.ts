// Rewrites the table in docs/errors.md from the error catalogue: `npm run docs:errors`.
import {readFileSync, writeFileSync} from 'node:fs';

import {errorCatalogueMarkdown} from '@tars-ts/core';

const file = new URL('../docs/errors.md', import.meta.url);
const text = readFileSync(file, 'utf8');
const updated = text.replace(/(<!-- errors:begin -->\n)[\s\S]*?(<!-- errors:end -->)/,
  `$1${errorCatalogueMarkdown()}\n$2`);
writeFileSync(file, updated);
