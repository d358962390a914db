import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

/**
 * Checks a document against the SARIF 2.1.0 JSON schema (OASIS, final "rtm.5" text), read offline from the copy
 * @microsoft/jest-sarif ships. The schema is draft-04, hence ajv-draft-04; `unicodeRegExp: false` because one
 * pattern of the published schema (language tags) is not a valid Unicode-mode regular expression.
 * Returns one line per violation (`/runs/0/results/0/level: must be equal to one of the allowed values`).
 */
export function sarifSchemaViolations(document: unknown): string[] {
  validator ??= compile();
  if (validator(document)) {
    return [];
  }
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@microsoft/jest-sarif');
  const schemaFile = join(dirname(main), 'schemas', 'sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as object;
  // Both packages are CommonJS: their classes are the `default` of what an ES import gets.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  return ajv.compile(schema);
}
