/**
 * The broker's message store alone (SQLite, no AMQP): enqueue 1 KiB messages in batches of 100 (one group commit
 * each), then remove them in batches of 100 — the store's share of a send and a complete. CPU per message, the
 * median of 5 rounds after a warm-up round, in this process.
 *
 * `BENCH_SERVICEBUS_STORE_MODULE=<path to a build's dist/store/message-store.js>` runs the same rounds against
 * another build's store (e.g. the previous commit's), so that before/after figures come from one session.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchContext, BenchRow, BenchSuite } from './bench-types.js';

type Done = (error?: Error) => void;

/** The part of `MessageStore` the rounds use (the class is internal to the package, so it is typed here). */
interface StoreUnderTest {
  load(): unknown;
  enqueue(
    messages: readonly object[],
    sequences: ReadonlyMap<string, number>,
    duplicates: [],
    done: Done,
  ): void;
  remove(ids: readonly number[], done: Done): void;
  close(): void;
}

type StoreClass = new (options: { dataDir: string }) => StoreUnderTest;

const BATCH = 100;

async function loadStoreClass(): Promise<{ MessageStore: StoreClass; path: string }> {
  const require = createRequire(import.meta.url);
  const path =
    process.env.BENCH_SERVICEBUS_STORE_MODULE ??
    join(
      dirname(require.resolve('@kqlgate/servicebus-emulator/package.json')),
      'dist',
      'store',
      'message-store.js',
    );
  const mod = (await import(pathToFileURL(path).href)) as { MessageStore: StoreClass };
  return { MessageStore: mod.MessageStore, path };
}

function message(id: number, body: Buffer, section: Buffer): object {
  return {
    id,
    entity: 'bench-queue',
    sequenceNumber: id,
    state: 0,
    enqueuedAt: Date.now(),
    scheduledAt: null,
    expiresAt: null,
    deliveryCount: 0,
    sessionId: null,
    messageId: `m-${id}`,
    header: {},
    annotations: null,
    properties: section,
    applicationProperties: section,
    body,
    deadLetterSource: null,
  };
}

function settle(start: (done: Done) => void): Promise<void> {
  return new Promise((resolve, reject) => start((error) => (error ? reject(error) : resolve())));
}

/** Enqueues then removes `count` messages with ids after `offset`; returns CPU µs per message. */
async function round(store: StoreUnderTest, offset: number, count: number): Promise<number> {
  const body = Buffer.alloc(1024, 7);
  // An empty AMQP map section (described 0x74, map8 of 0 entries), as properties and application properties.
  const section = Buffer.from([0x00, 0x53, 0x74, 0xc1, 0x01, 0x00]);
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: BATCH }, (_, k) => message(offset + i + k + 1, body, section));
    const sequences = new Map([['bench-queue', offset + i + BATCH]]);
    await settle((done) => store.enqueue(batch, sequences, [], done));
  }
  for (let i = 0; i < count; i += BATCH) {
    const ids = Array.from({ length: BATCH }, (_, k) => offset + i + k + 1);
    await settle((done) => store.remove(ids, done));
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / count;
}

export const suite: BenchSuite = {
  name: 'servicebus-store',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const { MessageStore, path } = await loadStoreClass();
    const dataDir = await mkdtemp(join(tmpdir(), 'kqlgate-bench-servicebus-store-'));
    const count = ctx.full ? 100_000 : 20_000;
    const store = new MessageStore({ dataDir });
    try {
      store.load();
      await round(store, 0, count);
      const rounds: number[] = [];
      for (let r = 1; r <= 5; r++) {
        rounds.push(await round(store, r * count, count));
      }
      rounds.sort((a, b) => a - b);
      ctx.log(`servicebus-store: ${rounds.map((us) => us.toFixed(1)).join(', ')} µs per message`);
      return [
        {
          benchmark:
            'message store alone: enqueue + remove of a 1 KiB message (batches of 100, one commit each)',
          metric: 'cpu per message',
          value: rounds[2],
          unit: 'µs',
          note: `median of 5 rounds of ${count}; store ${path}`,
        },
      ];
    } finally {
      store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
