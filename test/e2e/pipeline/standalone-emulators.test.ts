/**
 * The emulators as separate products: each starts from its own package in a process of its own (its bin, as
 * `npx kusto-emulator` / `npx servicebus-emulator` run it) and answers the real SDKs; then the gateway app
 * (`node dist/src/main.js`) runs against both as it would against Azure — KUSTO_CLUSTER_URL and
 * SERVICEBUS_CONNECTION_STRING set, so production defaults apply (bearer tokens from a JWKS) — a published event is
 * ingested and a stored function answers with it. The app's process must not have loaded DuckDB or SQLite:
 * /proc/<pid>/maps lists every shared object a process has mapped, native addons (.node files) included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { ServiceBusClient } from '@azure/service-bus';
import { Client as KustoClient } from 'azure-kusto-data';
import { DataFormat, IngestionProperties, StreamingIngestClient } from 'azure-kusto-ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const require = createRequire(import.meta.url);

/** The bin of an installed package (found through its package.json, as npx finds it). */
function binOf(packageName: string, bin: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), 'bin', bin);
}

interface Started {
  child: ChildProcess;
  /** The first match of `ready` in the output. */
  match: RegExpExecArray;
  output(): string;
}

/** Spawns `node …args` and resolves once its output matches `ready`. */
function start(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, cwd = repoRoot): Promise<Started> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code}:\n${output}`));
    });
  });
}

async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

/** The native addons (.node files) a process has mapped. */
function nativeAddons(pid: number): string[] {
  const paths = readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .map((line) => line.split(/\s+/)[5] ?? '')
    .filter((path) => path.endsWith('.node'));
  return [...new Set(paths)];
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Publishes one order.placed event, as the shop would, and waits until the engine has it in Orders. */
async function placeOrderAndWaitForIngestion(
  connectionString: string,
  kustoUrl: string,
  orderId: string,
  totalAmount: number,
): Promise<void> {
  const client = new ServiceBusClient(connectionString);
  const sender = client.createSender('oltp-events');
  const messageId = randomUUID();
  await sender.sendMessages({
    messageId,
    contentType: 'application/json',
    applicationProperties: { eventType: 'order.placed', tenantId: 'contoso' },
    body: {
      messageId,
      eventId: randomUUID(),
      eventType: 'order.placed',
      tenantId: 'contoso',
      occurredAt: new Date().toISOString(),
      data: {
        orderId,
        customerId: `c-${orderId}`,
        accountId: `a-${orderId}`,
        channel: 'web',
        currency: 'EUR',
        totalAmount,
        shippingCountry: 'DE',
        lines: [{ sku: 'sku-1', productName: 'Lamp', category: 'home', quantity: 1, unitPrice: totalAmount }],
      },
    },
  });
  await sender.close();
  await client.close();

  const kustoClient = new KustoClient(`Data Source=${kustoUrl};Initial Catalog=analytics`);
  try {
    await until('the event to be ingested', 60_000, async () => {
      const result = await kustoClient.execute(
        'analytics',
        `Orders | where MessageId == '${messageId}' | count`,
      );
      return (result.primaryResults[0].toJSON<{ Count: number }>().data[0]?.Count ?? 0) > 0
        ? true
        : undefined;
    });
  } finally {
    kustoClient.close();
  }
}

describe('the emulators as separate processes, and the gateway against them as against Azure', () => {
  let dir: string;
  let kusto: Started | undefined;
  let servicebus: Started | undefined;
  let app: Started | undefined;
  let kustoUrl: string;
  let connectionString: string;
  let issuer: TestJwtIssuer;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('standalone-emulators');
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    // kqlgate's entities (topic oltp-events with its analytics and operational subscriptions) plus a queue to probe.
    const entities = JSON.parse(
      readFileSync(join(repoRoot, 'config', 'servicebus-emulator.json'), 'utf8'),
    ) as {
      UserConfig: { Namespaces: Array<{ Queues: unknown[] }> };
    };
    entities.UserConfig.Namespaces[0].Queues.push({ Name: 'probe' });
    writeFileSync(join(dir, 'Config.json'), JSON.stringify(entities));
    const env = { PATH: process.env.PATH };
    [kusto, servicebus] = await Promise.all([
      start(
        [
          binOf('@kqlgate/kusto-emulator', 'kusto-emulator.js'),
          ...['--port', String(await freePort()), '--data-dir', join(dir, 'kusto'), '--log-level', 'warn'],
        ],
        env,
        /kusto emulator listening on (http:\/\/\S+)/,
      ),
      start(
        [
          binOf('@kqlgate/servicebus-emulator', 'servicebus-emulator.js'),
          ...['--port', String(await freePort()), '--data-dir', join(dir, 'servicebus')],
          ...['--config', join(dir, 'Config.json'), '--log-level', 'warn'],
        ],
        env,
        /connection string: (\S+)/,
      ),
    ]);
    kustoUrl = kusto.match[1];
    connectionString = servicebus.match[1];
  }, 300_000);

  afterAll(async () => {
    await stop(app);
    await Promise.all([stop(kusto), stop(servicebus)]);
    await issuer?.stop();
    await removeDir(dir);
  });

  it('should answer azure-kusto-data and azure-kusto-ingest from the kusto-emulator process', async () => {
    const client = new KustoClient(`Data Source=${kustoUrl};Initial Catalog=analytics`);
    const ingest = new StreamingIngestClient(`Data Source=${kustoUrl};Initial Catalog=analytics`);
    try {
      await client.executeMgmt('analytics', '.create table Probe (Id: long, Name: string)');
      await ingest.ingestFromStream(
        Readable.from([Buffer.from('{"Id":1,"Name":"first"}\n{"Id":2,"Name":"second"}')]),
        new IngestionProperties({ database: 'analytics', table: 'Probe', format: DataFormat.JSON }),
      );
      const result = await client.execute('analytics', 'Probe | order by Id asc');
      expect(result.primaryResults[0].toJSON().data).toEqual([
        { Id: 1, Name: 'first' },
        { Id: 2, Name: 'second' },
      ]);
    } finally {
      client.close();
      ingest.close();
    }
    expect(nativeAddons(kusto!.child.pid!).some((path) => path.includes('duckdb'))).toBe(true);
  });

  it('should answer @azure/service-bus from the servicebus-emulator process', async () => {
    const client = new ServiceBusClient(connectionString);
    try {
      const sender = client.createSender('probe');
      await sender.sendMessages({ body: { hello: 'broker' }, messageId: 'probe-1' });
      const receiver = client.createReceiver('probe');
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 10_000 });
      expect(message.body).toEqual({ hello: 'broker' });
      expect(message.messageId).toBe('probe-1');
      await receiver.completeMessage(message);
      await sender.close();
      await receiver.close();
    } finally {
      await client.close();
    }
    // The broker's store: @photostructure/sqlite's prebuilt addon (prebuilds/<platform>/@photostructure+sqlite.<libc>.node).
    expect(nativeAddons(servicebus!.child.pid!).some((path) => path.includes('@photostructure+sqlite'))).toBe(
      true,
    );
  });

  it('should run the gateway against both through KUSTO_CLUSTER_URL and SERVICEBUS_CONNECTION_STRING, without loading DuckDB or SQLite', async () => {
    const env = { PATH: process.env.PATH };
    const deploy = await start(
      [
        join(repoRoot, 'dist', 'src', 'cli', 'main.js'),
        'deploy',
        '--cluster',
        kustoUrl,
        '--database',
        'analytics',
      ],
      env,
      /applied \d+ command\(s\)/,
    );
    await new Promise((resolve) => deploy.child.once('exit', resolve));
    expect(deploy.child.exitCode).toBe(0);

    const port = await freePort();
    app = await start(
      [join(repoRoot, 'dist', 'src', 'main.js')],
      {
        ...env,
        PORT: String(port),
        DATA_DIR: join(dir, 'app'),
        KUSTO_CLUSTER_URL: kustoUrl,
        SERVICEBUS_CONNECTION_STRING: connectionString,
        DEMO_RATE: '0',
        JWKS_URI: issuer.jwksUri,
        JWT_ISSUER: issuer.issuer,
        JWT_AUDIENCE: issuer.audience,
      },
      /kqlgate listening on/,
    );
    const base = `http://127.0.0.1:${port}`;

    await placeOrderAndWaitForIngestion(connectionString, kustoUrl, 'o-standalone-1', 42.5);

    const token = await issuer.token({ roles: ['operations'], claims: { tid: 'contoso' } });
    const response = await fetch(`${base}/api/v1/functions/OrderThroughput?lookback=1h`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown[] }).data).toMatchObject([
      { Placed: 1, Revenue: 42.5 },
    ]);

    const addons = nativeAddons(app.child.pid!);
    expect(addons.filter((path) => /duckdb|sqlite/i.test(path))).toEqual([]);
  });

  describe('KQLGATE_ROLE through `kqlgate start`', () => {
    const kqlgate = join(repoRoot, 'bin', 'kqlgate.js');
    let ingestion: Started | undefined;
    let gateway: Started | undefined;

    afterAll(async () => {
      await Promise.all([stop(ingestion), stop(gateway)]);
    });

    /** The azure settings of both roles, against the emulators; `env` adds the role and its own port. */
    const roleEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      KUSTO_CLUSTER_URL: kustoUrl,
      SERVICEBUS_CONNECTION_STRING: connectionString,
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      LOG_LEVEL: 'info',
      ...env,
    });

    async function readiness(base: string): Promise<{ status: number; checks: string[] }> {
      const response = await fetch(`${base}/health/ready`);
      const body = (await response.json()) as { details?: Record<string, unknown> };
      return { status: response.status, checks: Object.keys(body.details ?? {}).sort() };
    }

    it('should refuse a single role without the Azure services, in one line naming them', async () => {
      const child = spawn(process.execPath, [kqlgate, 'start'], {
        env: { PATH: process.env.PATH, KQLGATE_ROLE: 'gateway', DATA_DIR: join(dir, 'refused') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toBe(
        'kqlgate: Invalid configuration:\n' +
          '  KQLGATE_ROLE="gateway": needs KUSTO_CLUSTER_URL (gateway) and also SERVICEBUS_CONNECTION_STRING or ' +
          'SERVICEBUS_NAMESPACE (ingestion): the embedded engine and broker run only with KQLGATE_ROLE=all\n',
      );
    });

    it('should run the ingestion role as the consumer with /health on PORT, and the gateway role as the API only', async () => {
      // The all-in-one app of the test above would consume the events too, so it must be gone before this test
      // publishes one. It stops while the roles start: nothing is published until all three are done.
      const ingestionPort = await freePort();
      const gatewayPort = await freePort();
      [ingestion, gateway] = await Promise.all([
        start(
          [kqlgate, 'start'],
          roleEnv({
            KQLGATE_ROLE: 'ingestion',
            PORT: String(ingestionPort),
            DATA_DIR: join(dir, 'ingestion'),
          }),
          /kqlgate listening on/,
        ),
        start(
          [kqlgate, 'start'],
          roleEnv({ KQLGATE_ROLE: 'gateway', PORT: String(gatewayPort), DATA_DIR: join(dir, 'gateway') }),
          /kqlgate listening on/,
        ),
        stop(app),
      ]);
      const ingestionBase = `http://127.0.0.1:${ingestionPort}`;
      const gatewayBase = `http://127.0.0.1:${gatewayPort}`;

      // What the Kubernetes probes and the KEDA-scaled deployment rely on: /health on PORT, the consumer's checks.
      expect((await fetch(`${ingestionBase}/health/live`)).status).toBe(200);
      await until('the ingestion role to be ready', 60_000, async () =>
        (await readiness(ingestionBase)).status === 200 ? true : undefined,
      );
      expect((await readiness(ingestionBase)).checks).toEqual(['ingestion', 'kusto-ingest', 'servicebus']);
      expect((await fetch(`${ingestionBase}/api/v1/functions/OrderThroughput?lookback=1h`)).status).toBe(404);
      expect((await fetch(`${ingestionBase}/graphql`, { method: 'POST' })).status).toBe(404);

      // The gateway serves the API and checks its catalog, and consumes nothing.
      expect(await readiness(gatewayBase)).toEqual({ status: 200, checks: ['catalog'] });
      expect(gateway.output()).not.toContain('ingestion pipeline started');
      expect(ingestion.output()).toContain('ingestion pipeline started');

      // An event flows through the ingestion process and the gateway process answers with it.
      await placeOrderAndWaitForIngestion(connectionString, kustoUrl, 'o-roles-1', 7.5);
      const token = await issuer.token({ roles: ['operations'], claims: { tid: 'contoso' } });
      const response = await fetch(`${gatewayBase}/api/v1/functions/OrderThroughput?lookback=1h`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      expect(
        ((await response.json()) as { data: Array<{ Placed: number }> }).data[0]?.Placed,
      ).toBeGreaterThan(0);
    }, 300_000);
  });
});
