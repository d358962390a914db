/**
 * The package boundary of eslint.config.mjs, run through ESLint's Node API on the repository's own configuration:
 * a package may not import a file outside itself nor the kqlgate app, and the app may not import a package's files
 * (only its name and public entry points). The text is linted as if it were the named file, so every rule of that
 * place applies; only the import rule's messages are compared.
 */
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../utils/ensure-built.js';

const PACKAGE_BOUNDARY =
  'A package stands on its own: import another package by its name (@kqlgate/…) and only its public entry points, ' +
  'never a file outside this package, and never the kqlgate app.';

describe('package boundary (eslint.config.mjs)', () => {
  let eslint: ESLint;

  beforeAll(() => {
    eslint = new ESLint({ cwd: repoRoot });
  });

  /** The no-restricted-imports messages for `source` linted as `file`. */
  async function restricted(file: string, source: string): Promise<string[]> {
    const [result] = await eslint.lintText(source, { filePath: file });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  it('should refuse a relative import that leaves the package, at any depth', async () => {
    expect(
      await restricted(
        'packages/kusto-emulator/src/query/compiler-thread.ts',
        "export { createLogger } from '../../../../src/common/logging/logger.js';\n",
      ),
    ).toEqual([
      `'../../../../src/common/logging/logger.js' import is restricted from being used by a pattern. ${PACKAGE_BOUNDARY}`,
    ]);
    expect(
      await restricted(
        'packages/servicebus-emulator/src/index.ts',
        "export { startKustoEmulator } from '../../kusto-emulator/src/kusto-emulator.js';\n",
      ),
    ).toEqual([
      `'../../kusto-emulator/src/kusto-emulator.js' import is restricted from being used by a pattern. ${PACKAGE_BOUNDARY}`,
    ]);
  });

  it('should refuse the kqlgate app in a package', async () => {
    expect(
      await restricted(
        'packages/demo-shop/src/demo-producer.ts',
        "import { loadConfig } from 'kqlgate';\nimport { createLogger } from 'kqlgate/dist/src/common/logging/logger.js';\nexport { loadConfig, createLogger };\n",
      ),
    ).toEqual([
      `'kqlgate' import is restricted from being used. ${PACKAGE_BOUNDARY}`,
      `'kqlgate/dist/src/common/logging/logger.js' import is restricted from being used by a pattern. ${PACKAGE_BOUNDARY}`,
    ]);
  });

  it('should let a package import its own files and other packages by name', async () => {
    expect(
      await restricted(
        'packages/kusto-emulator/src/query/compiler-thread.ts',
        "export { silentLogger } from '../logging/logger.js';\nexport { kustoLanguage } from '@kqlgate/kql-language';\n",
      ),
    ).toEqual([]);
  });

  it("should refuse a package's files in the app", async () => {
    expect(
      await restricted(
        'src/runtime/kqlgate-parts.ts',
        "export { startKustoEmulator } from '../../packages/kusto-emulator/src/kusto-emulator.js';\n",
      ),
    ).toEqual([
      "'../../packages/kusto-emulator/src/kusto-emulator.js' import is restricted from being used by a pattern. " +
        'Import a package by its name (@kqlgate/…) and its public entry points, never its files.',
    ]);
  });
});
