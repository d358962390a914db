import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../test/utils/ingestion-doubles.js';
import { BatchCommittedNotifier, type BatchCommittedEvent } from './batch-committed-notifier.js';

const EVENT: BatchCommittedEvent = { database: 'db', table: 'T', rows: 3 };

describe(BatchCommittedNotifier.name, () => {
  describe('emit', () => {
    it('should tell every listener, logging one that throws without stopping the others', () => {
      const logger = new RecordingLogger();
      const notifier = new BatchCommittedNotifier(logger);
      const seen: BatchCommittedEvent[] = [];
      notifier.add(() => {
        throw new Error('cache gone');
      });
      notifier.add((event) => seen.push(event));
      notifier.emit(EVENT);
      expect(seen).toEqual([EVENT]);
      expect(logger.lines).toEqual(['error: onBatchCommitted listener threw']);
    });
  });

  describe('add', () => {
    it('should return a function that unsubscribes the listener', () => {
      const notifier = new BatchCommittedNotifier(new RecordingLogger());
      const seen: BatchCommittedEvent[] = [];
      const unsubscribe = notifier.add((event) => seen.push(event));
      notifier.emit(EVENT);
      unsubscribe();
      notifier.emit(EVENT);
      expect(seen).toHaveLength(1);
    });
  });
});
