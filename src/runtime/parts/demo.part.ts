/**
 * The demo: the OLTP producer publishing to the topic and, beside it, the operational consumer that reads the
 * topic's `operational` subscription — the stand-in for the architecture's function app, without which nothing
 * reads that subscription and the broker's store grows with every event. Both stand for other applications. The
 * producer's first start generates and publishes a backfilled history in the background. Closing stops the
 * producer (waiting for the history), then the consumer (after the batch in hand).
 */
import { resolve } from 'node:path';
import { Registry } from 'prom-client';
import { createLogger } from '../../common/logging/logger.js';
import type { Part } from '../part.js';

export interface DemoInput {
  connectionString: string;
  topic: string;
  rate: number;
  seed: number;
  dataDir: string;
  backfillDays: number;
  backfillEvents: number;
}

/** What the demo reports to the main thread, for its /metrics: events published since the last report, by type. */
export interface DemoPublishedReport {
  byType: Record<string, number>;
}

/** How often the demo reports what it published. */
const PUBLISHED_REPORT_MS = 1_000;

export const part: Part<DemoInput, Record<string, never>> = {
  async start(input, context) {
    const { DemoProducer, OperationalConsumer } = await import('@kqlgate/demo-shop');
    const dataDir = resolve(input.dataDir);
    const consumer = new OperationalConsumer({
      connectionString: input.connectionString,
      topic: input.topic,
      dataDir,
      logger: createLogger('demo-operational-consumer'),
    });
    const producer = new DemoProducer({
      ...input,
      dataDir,
      logger: createLogger('demo-producer'),
      // Its own counter, read by the reports below: the main thread's /metrics counts what they say, wherever the
      // demo runs.
      metrics: { registry: new Registry() },
    });
    await consumer.start();
    try {
      await producer.start();
    } catch (error) {
      await consumer.close();
      throw error;
    }
    // Events published by earlier runs are history, not this process's counter.
    const reported: Record<string, number> = { ...producer.stats().byType };
    const report = (): void => {
      const byType: Record<string, number> = {};
      for (const [type, count] of Object.entries(producer.stats().byType)) {
        if (count > (reported[type] ?? 0)) {
          byType[type] = count - (reported[type] ?? 0);
          reported[type] = count;
        }
      }
      if (Object.keys(byType).length > 0) {
        const message: DemoPublishedReport = { byType };
        context.report(message);
      }
    };
    const timer = setInterval(report, PUBLISHED_REPORT_MS);
    timer.unref();
    return {
      facts: {},
      close: async () => {
        clearInterval(timer);
        await producer.stop();
        report();
        await consumer.close();
      },
    };
  },
};
