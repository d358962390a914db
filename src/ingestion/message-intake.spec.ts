import { describe, expect, it } from 'vitest';
import { FakeSource, RecordingLogger } from '../../test/utils/ingestion-doubles.js';
import { AdmissionControl } from './admission-control.js';
import { systemClock } from './clock.js';
import { DeadLetterReason } from './dead-letter-reason.js';
import { ingestByTag } from './ingest-by-tag.js';
import { ingestionMetrics } from './ingestion-metrics.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from './message-limits.js';
import { MessageIntake } from './message-intake.js';
import type { PipelineEntry } from './pipeline-entry.js';
import { Settlement } from './settlement.js';
import { TableRouter, type RouteDecision } from './table-router.js';

function setup(
  options: { maxInFlight?: number; limits?: MessageLimits } = {},
  router: Pick<TableRouter, 'route'> = new TableRouter({ property: 'eventType', routes: {} }),
) {
  const source = new FakeSource();
  const logger = new RecordingLogger();
  const metrics = ingestionMetrics();
  const admission = new AdmissionControl(
    {
      maxInFlight: options.maxInFlight ?? 100,
      limits: options.limits ?? DEFAULT_MESSAGE_LIMITS,
      stallThresholdMs: 60_000,
    },
    systemClock,
    metrics,
  );
  const handedOver: PipelineEntry[] = [];
  const state = { running: true };
  const intake = new MessageIntake({
    admission,
    router,
    settlement: new Settlement(source, metrics, logger),
    metrics,
    logger,
    maxEventBytes: 64 * 1024,
    running: () => state.running,
    paused: () => false,
    handOver: (entry) => handedOver.push(entry),
  });
  source.subscribe(
    (message) => intake.receive(message),
    () => undefined,
    () => undefined,
  );
  return { source, intake, admission, handedOver, state };
}

describe(MessageIntake.name, () => {
  describe('receive', () => {
    it('should hand over a routed entry with its batch key, id key and ingest-by tag, keeping its slot', async () => {
      const { source, admission, handedOver } = setup();
      await source.deliver({ a: 1 }, { Table: 'T' }, 'm-1');
      expect(handedOver).toHaveLength(1);
      expect(handedOver[0]).toMatchObject({
        target: { table: 'T', format: 'json' },
        rows: 1,
        batchKey: 'T\u0001json\u0001',
        idKey: 'T\u0001m-1',
        ingestByTag: ingestByTag('T', 'm-1'),
      });
      // The batch that settles the entry frees the slot, not the intake.
      expect(admission.inFlight).toBe(1);
    });

    it('should dead-letter bad JSON and unroutable messages and hand over the rest', async () => {
      const { source, intake, admission, handedOver } = setup();
      await source.deliver(Buffer.from('{oops'));
      await source.deliver({ a: 1 }, {});
      await source.deliver({ a: 2 });
      expect(source.deadLettered.map((d) => d.reason)).toEqual([
        DeadLetterReason.InvalidJson,
        DeadLetterReason.Unroutable,
      ]);
      expect(handedOver).toHaveLength(1);
      expect(intake.received).toBe(3);
      expect(admission.inFlight).toBe(1);
    });

    it('should free the slot and dead-letter with the cause whatever routing throws', async () => {
      const throwing = {
        route: (): RouteDecision => {
          throw new RangeError('Maximum call stack size exceeded');
        },
      };
      const { source, admission } = setup({ maxInFlight: 1 }, throwing);
      await source.deliver({ a: 1 }, { Table: 'T' }, 'boom-1');
      // With one slot, a second message is admitted only if the first one gave its slot back.
      await source.deliver({ a: 2 }, { Table: 'T' }, 'boom-2');
      expect(admission.inFlight).toBe(0);
      expect(source.deadLettered).toEqual(
        ['boom-1', 'boom-2'].map((id) => ({
          id,
          reason: DeadLetterReason.ProcessingFailed,
          description: 'kqlgate could not process the message: RangeError: Maximum call stack size exceeded',
        })),
      );
    });

    it('should dead-letter a body nested deeper than the limit before anything encodes it', async () => {
      const { source, intake, handedOver } = setup({ limits: { maxBodyBytes: 1_048_576, maxJsonDepth: 64 } });
      const deep = Buffer.from(`{"x":${'['.repeat(4_999)}1${']'.repeat(4_999)}}`);
      await source.deliver(deep, { Table: 'T' }, 'deep');
      await source.deliver({ a: 1 }, { Table: 'T' }, 'good');
      expect(source.deadLettered).toEqual([
        {
          id: 'deep',
          reason: DeadLetterReason.NestingTooDeep,
          description:
            'body nests JSON 5000 levels deep, above the limit of 64 levels (INGEST_MAX_JSON_DEPTH)',
        },
      ]);
      expect(handedOver.map((e) => e.message.messageId)).toEqual(['good']);
      expect(intake.received).toBe(2);
    });

    it('should dead-letter a body larger than the limit, naming its size and the limit', async () => {
      const { source, admission } = setup({ limits: { maxBodyBytes: 1024, maxJsonDepth: 64 } });
      await source.deliver(Buffer.from(JSON.stringify({ s: 'x'.repeat(2000) })), { Table: 'T' }, 'big');
      expect(source.deadLettered).toEqual([
        {
          id: 'big',
          reason: DeadLetterReason.MessageTooLarge,
          description: 'body is 2008 bytes, above the 1024-byte limit (INGEST_MAX_BODY_BYTES)',
        },
      ]);
      expect(admission.inFlight).toBe(0);
    });

    it('should hand a message waiting for a slot back to the broker when the pipeline drains', async () => {
      const { source, admission, handedOver, state } = setup({ maxInFlight: 1 });
      await source.deliver({ a: 1 }, { Table: 'T' }, 'first');
      const waiting = source.deliver({ a: 2 }, { Table: 'T' }, 'second');
      state.running = false;
      admission.wake();
      await waiting;
      expect(handedOver.map((e) => e.message.messageId)).toEqual(['first']);
      expect(source.count('abandon')).toBe(1);
    });
  });
});
