import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/** The functions of the live-results tests, each reading Orders (filled from RawOrderEvents by an update policy). */
export const LIVE_FUNCTIONS: Record<string, string> = {
  LiveOrders: `// @expose roles=analyst cache=30s live=0
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Orders of the caller tenant', folder = 'test')
LiveOrders(tenantId: string, minAmount: real = 0.0) {
    Orders
    | where TenantId == tenantId and TotalAmount >= minAmount
    | project OrderId, TenantId, TotalAmount
    | order by OrderId asc
}
`,
  // 8,000 characters a row, so that a few results fill the socket buffers (strrep repeats at most 1,024 times).
  LiveOrderPages: `// @expose roles=analyst live=0 maxRows=5000
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Large rows, for the slow-consumer test', folder = 'test')
LiveOrderPages(tenantId: string) {
    Orders
    | where TenantId == tenantId
    | extend Padding = strrep(strrep('x', 1000), 8)
    | project OrderId, Padding
    | order by OrderId asc
}
`,
  RoleChanged: `// @expose roles=analyst
.create-or-alter function with (docstring = 'Its roles change during the test', folder = 'test')
RoleChanged() {
    Orders
    | summarize Orders = count()
}
`,
  Removed: `// @expose roles=analyst
.create-or-alter function with (docstring = 'Its @expose line goes during the test', folder = 'test')
Removed() {
    Orders
    | summarize Orders = count()
}
`,
  OpsOnly: `// @expose roles=operations
.create-or-alter function with (docstring = 'Needs a role the test callers lack', folder = 'test')
OpsOnly() {
    Orders
    | summarize Orders = count()
}
`,
};

/** A kql/ directory at `kqlDir` with the repository's tables and ingestion routes and LIVE_FUNCTIONS. */
export async function writeLiveKqlDir(kqlDir: string): Promise<void> {
  await cp(join(import.meta.dirname, '../../../kql/tables'), join(kqlDir, 'tables'), { recursive: true });
  await cp(
    join(import.meta.dirname, '../../../kql/ingestion-routes.json'),
    join(kqlDir, 'ingestion-routes.json'),
  );
  await mkdir(join(kqlDir, 'functions'));
  for (const [name, text] of Object.entries(LIVE_FUNCTIONS)) {
    await writeFile(join(kqlDir, 'functions', `${name}.kql`), text);
  }
}

/** A running instance serving LIVE_FUNCTIONS, with what the live tests drive it by. */
export interface LiveTestInstance {
  /** The test's temp directory; its kql/ is `kqlDir`. */
  readonly dir: string;
  readonly kqlDir: string;
  readonly instance: KqlgateInstance;
  /** A real Service Bus client of the instance's broker. */
  readonly sb: ServiceBusClient;
  /** A dev-mode token of `user-<tenant>` with `tid=<tenant>`. */
  token(tenant: string, roles?: string[], expiresInSeconds?: number): Promise<string>;
  /** Stops the instance once (a shutdown test stops it itself; close() then leaves it). */
  stop(): Promise<void>;
  /** Closes the Service Bus client, stops the instance and removes the directory. */
  close(): Promise<void>;
}

/**
 * The whole runtime (startKqlgateInstance) on a kql/ of LIVE_FUNCTIONS in a new temp directory, ready: its catalog
 * deployed and ingestion running. `env(dir)` adds settings, and may write files they name into `dir` first.
 */
export async function startLiveInstance(
  name: string,
  env: (dir: string) => Promise<Record<string, string>> | Record<string, string>,
): Promise<LiveTestInstance> {
  const dir = await tempDir(name);
  const kqlDir = join(dir, 'kql');
  await writeLiveKqlDir(kqlDir);
  const instance = await startKqlgateInstance({ KQL_DIR: kqlDir, ...(await env(dir)) });
  const keys = new DevSigningKeyStore(instance.dataDir);
  await waitUntilReady(instance);
  const sb = new ServiceBusClient(instance.config.serviceBusConnectionString!);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= instance.stop());
  return {
    dir,
    kqlDir,
    instance,
    sb,
    token: (tenant, roles = ['analyst'], expiresInSeconds) =>
      keys.sign({ subject: `user-${tenant}`, roles, claims: { tid: tenant }, expiresInSeconds }),
    stop,
    async close() {
      await sb.close();
      await stop();
      await removeDir(dir);
    },
  };
}

/** Waits (up to a minute) until the instance reports ready: its catalog deployed and ingestion running. */
export async function waitUntilReady(instance: KqlgateInstance): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    if ((await fetch(`${instance.url}/health/ready`)).status === 200) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Sends `messages` to the instance's topic with the real Service Bus SDK. */
export async function publishEvents(
  sb: ServiceBusClient,
  instance: KqlgateInstance,
  messages: ServiceBusMessage[],
): Promise<void> {
  const sender = sb.createSender(instance.config.SERVICEBUS_TOPIC);
  try {
    await sender.sendMessages(messages);
  } finally {
    await sender.close();
  }
}

/** The value of one sample line of the instance's /metrics (`name{labels}`), if present. */
export async function metricValue(instance: KqlgateInstance, line: string): Promise<number | undefined> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

/** Events per batch of floodUntilSlowConsumer: 250 rows of LiveOrderPages are 2 MB of JSON. */
const FLOOD_BATCH = 250;
/** 42 MB of results in all, several times what a loopback connection's socket buffers absorb. */
const FLOOD_MAX_EVENTS = 1500;
/** A sanity bound on one batch's way from the topic to a pushed result, not a speed target. */
const FLOOD_PUSH_WAIT_MS = 60_000;

/**
 * Sends order events of one tenant, in batches, to the instance while a LiveOrderPages subscriber of that tenant
 * does not read, until the server drops the subscriber as SLOW_CONSUMER; returns how many events it took.
 *
 * The server sees only what the kernel's socket buffers of the loopback connection do not absorb (the server's
 * send buffer and the client's receive window: from 4 MB to 30 MB on one machine, run to run), so the test cannot
 * know beforehand how many events that takes. And sent at once, batches coalesce into fewer, larger results when
 * re-runs are slower than commits (RerunScheduler, on a loaded machine), which the kernel could absorb whole. So
 * each batch goes out once a result after the one before was pushed, and batches go on until the drop.
 */
export async function floodUntilSlowConsumer(
  live: LiveTestInstance,
  event: (index: number) => ServiceBusMessage,
): Promise<number> {
  const pushes = 'kqlgate_live_pushes_total{function="LiveOrderPages"}';
  const dropped = 'kqlgate_live_closed_total{reason="SLOW_CONSUMER"}';
  const { instance, sb } = live;
  for (let sent = 0; sent < FLOOD_MAX_EVENTS; sent += FLOOD_BATCH) {
    const before = (await metricValue(instance, pushes)) ?? 0;
    await publishEvents(
      sb,
      instance,
      Array.from({ length: FLOOD_BATCH }, (_, i) => event(sent + i)),
    );
    const deadline = Date.now() + FLOOD_PUSH_WAIT_MS;
    while (((await metricValue(instance, pushes)) ?? 0) <= before) {
      if (Date.now() > deadline) {
        const ends = (await (await fetch(`${instance.url}/metrics`)).text())
          .split('\n')
          .filter((line) => line.startsWith('kqlgate_live_closed_total'));
        throw new Error(
          `no LiveOrderPages result was pushed within ${FLOOD_PUSH_WAIT_MS} ms of events ${sent}..${sent + FLOOD_BATCH - 1}; ends so far: ${ends.join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if ((await metricValue(instance, dropped)) === 1) {
      return sent + FLOOD_BATCH;
    }
  }
  throw new Error(
    `${FLOOD_MAX_EVENTS} events were pushed to a client that does not read, and it was not dropped`,
  );
}
