import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerClientCommand } from '../../../src/cli/commands/client.command.js';
import { CLIENT_FILE_NAME } from '../../../src/contracts/typescript-client/typescript-client-generator.js';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { KustoQueryClient } from '../../../src/modules/query/kusto-query.client.js';
import { repoRoot } from '../../utils/ensure-built.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/**
 * `kqlgate client --typescript <dir>` end to end: the CLI writes the client into a temp dir, a small front-end
 * style app is compiled against it with strict `tsc --noEmit` and the DOM library only (no Node types: what a
 * browser project has), then run against the whole runtime (`npm start` wiring) with real rows ingested into the
 * embedded engine. The stream side is in sse-client-stream.test.ts (the gateway route is another change).
 */

/** The app a front-end team would write; its @ts-expect-error lines fail the compile if the types are too loose. */
const SAMPLE_APP = `
import {
  KqlgateClient,
  KqlgateError,
  toDate,
  type KqlgateResult,
  type PaymentFailureRateRow,
} from './client/kqlgate-client.js';

export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly parameters: readonly { readonly parameter: string; readonly message: string }[] | undefined;
}

export interface SampleOutcome {
  readonly result: KqlgateResult<PaymentFailureRateRow>;
  readonly firstPeriod: Date | null;
  readonly declines: number;
  readonly refusals: readonly Refusal[];
}

async function refusal(call: () => Promise<unknown>): Promise<Refusal> {
  try {
    await call();
  } catch (error) {
    if (error instanceof KqlgateError) {
      return { status: error.status, code: error.code, title: error.title, parameters: error.problem.parameters };
    }
    throw error;
  }
  throw new Error('the call was not refused');
}

export async function run(baseUrl: string, token: string, otherRoleToken: string): Promise<SampleOutcome> {
  const client = new KqlgateClient({ baseUrl, token: () => Promise.resolve(token) });
  const result = await client.paymentFailureRate({ lookback: '1h', binSize: '1h' });
  const first: PaymentFailureRateRow | undefined = result.data[0];
  const method: string | null = first?.Method ?? null;
  const rate: number | null = first?.FailureRate ?? null;
  const declines = result.data.reduce((sum, row) => sum + Number(row.Declines ?? 0), 0);
  void method;
  void rate;
  return {
    result,
    firstPeriod: first ? toDate(first.Period) : null,
    declines,
    refusals: [
      await refusal(() => new KqlgateClient({ baseUrl }).paymentFailureRate()),
      await refusal(() => new KqlgateClient({ baseUrl, token: otherRoleToken }).paymentFailureRate()),
      await refusal(() => client.paymentFailureRate({ lookback: 'soon' })),
    ],
  };
}

/** Never called: compiled only, to show what the types refuse. */
export function typeChecks(client: KqlgateClient): void {
  // @ts-expect-error a parameter the function does not have
  void client.paymentFailureRate({ lookbak: '1h' });
  // @ts-expect-error tenantId is bound to the caller's claim, not a parameter
  void client.paymentFailureRate({ tenantId: 'fabrikam' });
  // @ts-expect-error customerId is required
  void client.customerOrders({});
  // @ts-expect-error a timespan is a string such as 1h
  void client.paymentFailureRate({ lookback: 3600 });
  void client.customerOrders({ customerId: 'c-1', maxOrders: 5 }).then((r) => {
    // @ts-expect-error a column the function does not return
    void r.data[0]?.Nope;
  });
}
`;

/** Strict, and what a browser project sees: the DOM library, no Node types. */
const SAMPLE_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noEmit: true,
  },
  include: ['*.ts', 'client/*.ts'],
};

interface SampleOutcome {
  readonly result: { data: Record<string, unknown>[]; meta: Record<string, unknown> };
  readonly firstPeriod: Date | null;
  readonly declines: number;
  readonly refusals: readonly Record<string, unknown>[];
}

type SampleApp = { run(baseUrl: string, token: string, otherRoleToken: string): Promise<SampleOutcome> };

interface CliRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: typeof process.exitCode;
}

/** Runs `kqlgate client …` in-process (the CLI's own code path): what it printed and the exit code it set. */
async function kqlgateClient(args: string[]): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture(stdout));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture(stderr));
  const exitCode = process.exitCode;
  try {
    const program = new Command('kqlgate').exitOverride();
    registerClientCommand(program);
    program.commands.forEach((command) => command.exitOverride());
    await program.parseAsync(['client', ...args], { from: 'user' }).catch((error: Error) => {
      stderr.push(`thrown: ${error.message}`);
    });
    return { stdout: stdout.join(''), stderr: stderr.join(''), exitCode: process.exitCode };
  } finally {
    process.exitCode = exitCode;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('kqlgate client', () => {
  it('should refuse to run without --typescript', async () => {
    expect(await kqlgateClient([])).toEqual({
      stdout: '',
      stderr:
        "error: required option '--typescript <dir>' not specified\n" +
        "thrown: error: required option '--typescript <dir>' not specified",
      exitCode: undefined,
    });
  });

  it('should write nothing and exit 1 when kql/ has errors', async () => {
    const dir = await tempDir('ts-client-bad');
    try {
      await mkdir(join(dir, 'kql', 'functions'), { recursive: true });
      await writeFile(
        join(dir, 'kql', 'functions', 'Broken.kql'),
        '// @expose roles=analyst\n.create-or-alter function Broken() { NoSuchTable | take 1 }\n',
      );
      const run = await kqlgateClient(['--typescript', join(dir, 'out'), '--kql', join(dir, 'kql')]);
      expect(run.stdout).toBe('');
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/: error: .*NoSuchTable/);
      expect(
        run.stderr.endsWith(
          `kqlgate client: 1 error(s) in ${join(dir, 'kql')}; fix them first (kqlgate lint)\n`,
        ),
      ).toBe(true);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    } finally {
      await removeDir(dir);
    }
  });
});

describe('generated TypeScript client against the real gateway', () => {
  let dir: string;
  let instance: KqlgateInstance;
  let signer: DevSigningKeyStore;
  let printed: CliRun;
  const minutesAgo = new Date(Date.now() - 5 * 60_000).toISOString();

  beforeAll(async () => {
    dir = await tempDir('ts-client');
    printed = await kqlgateClient(['--typescript', join(dir, 'client'), '--kql', join(repoRoot, 'kql')]);
    instance = await startKqlgateInstance({ RATE_LIMIT_POINTS: '0' });
    signer = new DevSigningKeyStore(instance.dataDir);
    const kusto = new KustoQueryClient(
      instance.config.kustoClusterUrl,
      instance.config.KUSTO_DATABASE,
      'none',
    );
    const payment = (id: string, status: string, amount: number, method: string, reason: string): string =>
      `contoso,${id},o-${id},a-1,c-1,${status},${amount},EUR,${method},424242,4242,DE,d-1,203.0.113.1,DE,${reason},,${minutesAgo},m-${id}`;
    await kusto.command(
      `.ingest inline into table Payments <|\n${[
        payment('p-1', 'authorized', 10.5, 'card', ''),
        payment('p-2', 'declined', 20.25, 'card', 'insufficient_funds'),
        payment('p-3', 'authorized', 5, 'paypal', ''),
        payment('p-4', 'authorized', 7, 'card', ''),
      ].join('\n')}`,
    );
  });

  afterAll(async () => {
    await instance?.stop();
    await removeDir(dir);
  });

  it('should write the client, compile an app against it strictly, and return typed rows and coded refusals', async () => {
    expect(printed).toEqual({
      stdout: `kqlgate client: wrote ${join(dir, 'client', CLIENT_FILE_NAME)} (11 functions)\n`,
      stderr: '',
      exitCode: undefined,
    });
    await writeFile(join(dir, 'app.ts'), SAMPLE_APP);
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(SAMPLE_TSCONFIG));
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const compiled = await promisify(execFile)(process.execPath, [
      tsc,
      '-p',
      join(dir, 'tsconfig.json'),
    ]).then(
      () => 'compiled',
      // tsc prints its diagnostics on stdout: they are the failure message.
      (error: Error & { stdout?: string }) => error.stdout ?? error.message,
    );
    expect(compiled).toBe('compiled');

    const app = (await import(pathToFileURL(join(dir, 'app.ts')).href)) as SampleApp;
    const token = await signer.sign({ subject: 'client', roles: ['operations'], claims: { tid: 'contoso' } });
    const marketing = await signer.sign({
      subject: 'client',
      roles: ['marketing'],
      claims: { tid: 'contoso' },
    });
    const outcome = await app.run(instance.url, token, marketing);

    const hour = new Date(Math.floor(Date.parse(minutesAgo) / 3_600_000) * 3_600_000);
    // Kusto's datetime with its seven fraction digits; a sum over no rows is null on the embedded engine.
    const period = `${hour.toISOString().slice(0, 19)}.0000000Z`;
    expect(outcome.result.data).toEqual([
      {
        Period: period,
        Method: 'card',
        Attempts: 3,
        Declines: 1,
        FailureRate: 0.3333,
        DeclinedAmount: 20.25,
      },
      { Period: period, Method: 'paypal', Attempts: 1, Declines: 0, FailureRate: 0, DeclinedAmount: null },
    ]);
    expect(outcome.result.meta).toMatchObject({
      function: 'PaymentFailureRate',
      rowCount: 2,
      truncated: false,
    });
    expect(outcome.firstPeriod?.toISOString()).toBe(hour.toISOString());
    expect(outcome.declines).toBe(1);
    expect(outcome.refusals).toEqual([
      {
        status: 401,
        code: 'AUTH_UNAUTHENTICATED',
        title: 'function PaymentFailureRate requires authentication',
        parameters: undefined,
      },
      {
        status: 403,
        code: 'AUTH_FORBIDDEN',
        title:
          'function PaymentFailureRate requires one of: role operations, role fraud-analyst, role analyst',
        parameters: undefined,
      },
      {
        status: 400,
        code: 'QUERY_INVALID_PARAMETERS',
        title:
          'invalid parameters for PaymentFailureRate: lookback: must be a timespan such as 30m, 1h, 1.02:00:00 or PT1H, got "soon"',
        parameters: [
          {
            parameter: 'lookback',
            message: 'must be a timespan such as 30m, 1h, 1.02:00:00 or PT1H, got "soon"',
          },
        ],
      },
    ]);
  });

  it('should write the same client as the committed example, before formatting', async () => {
    const written = await readFile(join(dir, 'client', CLIENT_FILE_NAME), 'utf8');
    const prettier = await import('prettier');
    const example = join(repoRoot, 'examples', 'typescript-client', CLIENT_FILE_NAME);
    const formatted = await prettier.format(written, {
      ...(await prettier.resolveConfig(example)),
      filepath: example,
    });
    expect(formatted).toBe(await readFile(example, 'utf8'));
  });
});
