import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerDeployCommand } from '../../../src/cli/commands/deploy.command.js';
import { registerLintCommand } from '../../../src/cli/commands/lint.command.js';
import { registerSchemaCommand } from '../../../src/cli/commands/schema.command.js';
import { startKustoEmulator, type RunningKustoEmulator } from '@kqlgate/kusto-emulator';
import { KustoQueryClient } from '../../../src/modules/query/kusto-query.client.js';
import { sarifSchemaViolations } from '../../utils/sarif-schema.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const repoKql = resolve(import.meta.dirname, '../../../kql');

/** Runs a kqlgate subcommand in-process (the code path of bin/kqlgate.js) and captures its output. */
async function kqlgate(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = new Command('kqlgate').exitOverride();
    registerLintCommand(program);
    registerDeployCommand(program);
    registerSchemaCommand(program);
    await program.parseAsync(args, { from: 'user' });
    return { stdout: stdout.join(''), stderr: stderr.join(''), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = saved;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('kqlgate lint / deploy / schema', () => {
  let dir: string;
  let kqlDir: string;
  let engine: RunningKustoEmulator;
  let client: KustoQueryClient;

  beforeAll(async () => {
    dir = await tempDir('kql-cli');
    kqlDir = join(dir, 'kql');
    await cp(repoKql, kqlDir, { recursive: true });
    engine = await startKustoEmulator({ port: 0, dataDir: join(dir, 'engine'), databases: ['analytics'] });
    client = new KustoQueryClient(engine.url, 'analytics');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  afterAll(async () => {
    client?.close();
    await engine?.close();
    await removeDir(dir);
  });

  it('should pass lint on the sample domain', async () => {
    const result = await kqlgate(['lint', '--kql', repoKql]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /: 16 tables, 20 functions \(11 exposed\): 0 error\(s\), 0 warning\(s\)\n$/,
    );
  });

  it('should fail lint on a missing column, naming file:line:col', async () => {
    const broken = join(dir, 'broken-kql');
    await cp(repoKql, broken, { recursive: true });
    const file = join(broken, 'functions', 'TopProducts.kql');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('UnitsSold = sum(Quantity)', 'UnitsSold = sum(Quantity2)'),
    );
    const result = await kqlgate(['lint', '--kql', broken]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `${broken}/functions/TopProducts.kql:16:25: error: TopProducts: The name 'Quantity2' does not refer to any known column, table, variable or function. [KS142]\n`,
    );
    expect(result.stdout).toContain('1 error(s)');
  });

  describe('lint --format', () => {
    let broken: string;
    const brokenMessage =
      "TopProducts: The name 'Quantity2' does not refer to any known column, table, variable or function.";

    beforeAll(async () => {
      broken = join(dir, 'broken-for-formats');
      await cp(repoKql, broken, { recursive: true });
      const file = join(broken, 'functions', 'TopProducts.kql');
      await writeFile(
        file,
        (await readFile(file, 'utf8')).replace('UnitsSold = sum(Quantity)', 'UnitsSold = sum(Quantity2)'),
      );
    });

    it('should print one JSON document of the documented shape on stdout, and exit 1 on errors', async () => {
      const result = await kqlgate(['lint', '--kql', broken, '--format', 'json']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({
        version: 1,
        kqlDir: broken,
        // TopProducts does not compile, so it is not exposed.
        summary: { tables: 16, functions: 20, exposed: 10, errors: 1, warnings: 0 },
        diagnostics: [
          {
            file: `${broken}/functions/TopProducts.kql`,
            line: 16,
            column: 25,
            severity: 'error',
            code: 'KS142',
            message: brokenMessage,
          },
        ],
      });
    });

    it('should print a SARIF 2.1.0 log the schema accepts, and exit 1 on errors', async () => {
      const result = await kqlgate(['lint', '--kql', broken, '--format', 'sarif']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe('');
      const log = JSON.parse(result.stdout) as {
        version: string;
        runs: { tool: { driver: { name: string; rules: unknown[] } }; results: unknown[] }[];
      };
      expect(sarifSchemaViolations(log)).toEqual([]);
      expect(log.version).toBe('2.1.0');
      expect(log.runs[0].tool.driver.name).toBe('kqlgate');
      expect(log.runs[0].tool.driver.rules).toEqual([{ id: 'KS142' }]);
      expect(log.runs[0].results).toEqual([
        {
          ruleId: 'KS142',
          ruleIndex: 0,
          level: 'error',
          message: { text: brokenMessage },
          locations: [
            {
              physicalLocation: {
                // The temp directory is outside the working directory: an absolute file: URI.
                artifactLocation: { uri: `file://${broken}/functions/TopProducts.kql` },
                region: { startLine: 16, startColumn: 25 },
              },
            },
          ],
        },
      ]);
    });

    it('should exit 0 with an empty run on a clean kql/', async () => {
      const result = await kqlgate(['lint', '--kql', repoKql, '--format', 'sarif']);
      expect(result.exitCode).toBe(0);
      const log = JSON.parse(result.stdout) as { runs: { results: unknown[] }[] };
      expect(sarifSchemaViolations(log)).toEqual([]);
      expect(log.runs[0].results).toEqual([]);
    });

    it('should refuse a format it does not know, naming the choices', async () => {
      await expect(kqlgate(['lint', '--kql', repoKql, '--format', 'xml'])).rejects.toThrow(
        "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json, sarif.",
      );
    });
  });

  describe('deploy target', () => {
    it('should read KUSTO_CLUSTER_URL and KUSTO_DATABASE when the flags are absent, and say so', async () => {
      vi.stubEnv('KUSTO_CLUSTER_URL', engine.url);
      vi.stubEnv('KUSTO_DATABASE', 'analytics');
      vi.stubEnv('KUSTO_AUTH', undefined);
      const result = await kqlgate(['deploy', '--kql', kqlDir, '--dry-run']);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout.split('\n')[0]).toBe(
        `target: cluster ${engine.url} (KUSTO_CLUSTER_URL), database analytics (KUSTO_DATABASE), no credentials (KUSTO_AUTH=auto)`,
      );
      expect(result.stdout).toContain('+ table Payments  (tables/payments.kql:');
    });

    it('should stop with one line per missing value when neither flags nor variables give them', async () => {
      vi.stubEnv('KUSTO_CLUSTER_URL', undefined);
      vi.stubEnv('KUSTO_DATABASE', undefined);
      const result = await kqlgate(['deploy', '--kql', kqlDir]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'kqlgate deploy: no cluster: pass --cluster <url> or set KUSTO_CLUSTER_URL (e.g. https://mycluster.westeurope.kusto.windows.net)\n' +
          'kqlgate deploy: no database: pass --database <name> or set KUSTO_DATABASE\n',
      );
    });

    it("should stop on a bad variable it reads, with the gateway's own message", async () => {
      vi.stubEnv('KUSTO_CLUSTER_URL', engine.url);
      vi.stubEnv('KUSTO_AUTH', 'token');
      const result = await kqlgate(['deploy', '--kql', kqlDir, '--database', 'analytics']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        'kqlgate deploy: KUSTO_AUTH="token": must be auto (Entra ID, except for a loopback address such as 127.0.0.1 or localhost), azure (Entra ID through DefaultAzureCredential) or none (no credentials, e.g. a Kustainer at http://kusto:8080)\n',
      );
    });
  });

  it('should print the plan on --dry-run, then deploy so that .show functions lists every function', async () => {
    const dry = await kqlgate([
      'deploy',
      '--cluster',
      engine.url,
      '--database',
      'analytics',
      '--kql',
      kqlDir,
      '--dry-run',
    ]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('+ table Payments  (tables/payments.kql:');
    expect(dry.stdout).toContain('+ mapping RawPaymentEvents/RawPaymentEvents_json');
    expect(dry.stdout).toContain('+ function FraudScores  (functions/FraudScores.kql:');
    expect(dry.stdout).toContain('+ update-policy Payments');
    expect(dry.stdout).toContain('dry run: nothing applied');
    expect((await client.command('.show functions')).rows).toEqual([]);

    const real = await kqlgate([
      'deploy',
      '--cluster',
      engine.url,
      '--database',
      'analytics',
      '--kql',
      kqlDir,
    ]);
    expect(real.stderr).toBe('');
    expect(real.exitCode).toBe(0);
    const names = (await client.command('.show functions')).rows.map((r) => r[0]);
    expect(names).toHaveLength(20);
    expect(names).toEqual(
      expect.arrayContaining(['FraudScores', 'CampaignKpis', 'SupplyChainForecast', 'ExpandPaymentEvents']),
    );

    const again = await kqlgate([
      'deploy',
      '--cluster',
      engine.url,
      '--database',
      'analytics',
      '--kql',
      kqlDir,
    ]);
    expect(again.stdout).toContain('0 to create, 0 to update');
    expect(again.stdout).toContain('applied 0 command(s)');

    const file = join(kqlDir, 'functions', 'LowStock.kql');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('threshold: long = 20', 'threshold: long = 25'),
    );
    const changed = await kqlgate([
      'deploy',
      '--cluster',
      engine.url,
      '--database',
      'analytics',
      '--kql',
      kqlDir,
      '--dry-run',
    ]);
    expect(changed.stdout).toContain('~ function LowStock  (functions/LowStock.kql:');
    expect(changed.stdout).toContain('0 to create, 1 to update');
  });

  it('should print the GraphQL SDL and the OpenAPI document', async () => {
    const sdl = await kqlgate(['schema', '--graphql', '--kql', repoKql]);
    expect(sdl.stdout).toContain('scalar DateTime');
    expect(sdl.stdout).toMatch(/FraudScores\(\s*"""[^"]*"""\s*lookback: TimeSpan/);
    expect(sdl.stdout).toContain('type FraudScoresRow {');
    const openapi = await kqlgate(['schema', '--openapi', '--kql', repoKql]);
    const document = JSON.parse(openapi.stdout) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/api/v1/functions/SupplyChainForecast');
  });
});
