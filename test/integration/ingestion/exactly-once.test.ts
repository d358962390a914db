/**
 * 10,000 events through the real SDK sender → embedded broker → ingestion (a child process, SIGKILLed
 * mid-stream and restarted) → embedded engine, then two full producer resends with the same MessageIds
 * (broker duplicate detection off, so the consumer's own dedup is what is tested): every event exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { ensureBuilt } from '../../utils/ensure-built.js';
import { IngestionStack, event, waitUntil } from './ingestion-stack.js';

const TOTAL = 10_000;

interface Consumer {
  process: ChildProcess;
  stats: { received: number; ingested: number; duplicates: number; inFlight: number } | undefined;
}

describe(IngestionPipeline.name, () => {
  const stack = new IngestionStack({ lockDuration: 'PT10S', duplicateDetection: false });
  let dist: string;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    dist = await ensureBuilt();
    await stack.start();
    await stack.createTable();
  });

  afterAll(async () => {
    for (const c of consumers) {
      c.process.kill('SIGKILL');
    }
    await stack.stop();
  });

  function startConsumer(): Consumer {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'ingestion-consumer.mjs')], {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        KQLGATE_DIST: dist,
        KQLGATE_INGEST_SETTINGS: JSON.stringify(stack.settings()),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const consumer: Consumer = { process: child, stats: undefined };
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('{"stats"')) {
          consumer.stats = (JSON.parse(line) as { stats: Consumer['stats'] }).stats;
        } else if (line.length > 0) {
          // The consumer's own warnings/errors (pino JSON), kept visible for diagnosis.
          process.stderr.write(`[consumer ${child.pid}] ${line.slice(0, 500)}\n`);
        }
      }
    });
    consumers.push(consumer);
    return consumer;
  }

  async function killHard(consumer: Consumer): Promise<void> {
    const exited = new Promise((resolve) => consumer.process.once('exit', resolve));
    consumer.process.kill('SIGKILL');
    await exited;
  }

  function progress(step: string): void {
    process.stderr.write(`[exactly-once] ${step} ${JSON.stringify(consumers.at(-1)?.stats ?? {})}\n`);
  }

  async function settledEverything(): Promise<void> {
    await waitUntil('the subscription is empty', () => stack.subscriptionEmpty(), 115_000);
  }

  it('should land 10,000 events exactly once across SIGKILL, restart and repeated producer resends', async () => {
    const events = Array.from({ length: TOTAL }, (_, i) => event(i));
    let consumer = startConsumer();
    await stack.send(events);

    // Kill once rows are landing but before the stream is through: ingested-but-unsettled batches get redelivered.
    await waitUntil('part of the stream is ingested', () =>
      Promise.resolve((consumer.stats?.ingested ?? 0) >= 2_000),
    );
    progress('killing the consumer mid-stream');
    await killHard(consumer);
    const landedBeforeRestart = await stack.counts();
    expect(landedBeforeRestart.rows).toBeLessThan(TOTAL);

    consumer = startConsumer();
    await waitUntil('all events are in the table', async () => (await stack.counts()).distinct === TOTAL);
    await settledEverything();
    progress('first pass settled');
    expect(await stack.counts()).toEqual({ rows: TOTAL, distinct: TOTAL });

    for (let round = 0; round < 2; round++) {
      // A producer that crashed before seeing its acknowledgements publishes everything again, same MessageIds;
      // the consumer is killed again in the middle of it.
      await stack.send(events);
      progress(`resend ${round + 1} published`);
      await waitUntil('the resend is being consumed', () =>
        Promise.resolve(
          (consumer.stats?.duplicates ?? 0) >= 1_000 || (consumer.stats?.received ?? 0) >= TOTAL,
        ),
      );
      await killHard(consumer);
      consumer = startConsumer();
      await settledEverything();
      progress(`resend ${round + 1} settled`);
      expect(await stack.counts()).toEqual({ rows: TOTAL, distinct: TOTAL });
    }
    expect(await stack.drainDeadLetters()).toEqual([]);
    // 30,000 sends, three consumer processes per round and lock expiries after each SIGKILL on 2 shared cores.
  }, 600_000);
});
