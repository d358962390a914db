/**
 * Settles messages on the source: complete, abandon, or dead-letter with a reason. A settlement that fails (lock
 * lost, link gone) is counted and logged, never thrown: the message comes back and the dedup filter completes it
 * without a second ingest. The SettlementGate inside SubscriptionReceiver keeps different outcomes apart on the wire.
 */
import type { Logger } from '../common/logging/logger.js';
import { DeadLetterReason } from './dead-letter-reason.js';
import type { IngestOutcome } from './ingest-retry.js';
import type { IngestionMetrics } from './ingestion-metrics.js';
import { messageSettled } from './ingestion-tracer.js';
import type { PipelineEntry } from './pipeline-entry.js';
import type { MessageSource, SourceMessage } from './subscription-receiver.js';

export class Settlement {
  /** Messages handed to deadLetter() since start (the pipeline's stats). */
  deadLettered = 0;

  constructor(
    private readonly source: MessageSource,
    private readonly metrics: IngestionMetrics,
    private readonly logger: Logger,
  ) {}

  complete(message: SourceMessage): Promise<void> {
    return this.settle('complete', message);
  }

  abandon(message: SourceMessage): Promise<void> {
    return this.settle('abandon', message);
  }

  /**
   * Settles an ingested batch: completes what was ingested and what was already in the table, dead-letters what the
   * engine rejected (the bisection isolated it) with the engine's reason.
   */
  async settleBatch(
    table: string,
    outcome: IngestOutcome,
    duplicates: readonly PipelineEntry[],
  ): Promise<void> {
    await Promise.all([
      ...outcome.ingested.map((e) => this.complete(e.message)),
      ...duplicates.map((e) => this.complete(e.message)),
      ...outcome.rejected.map((r) =>
        this.deadLetter(r.entry.message, table, DeadLetterReason.MappingFailure, r.description),
      ),
    ]);
  }

  async deadLetter(
    message: SourceMessage,
    table: string,
    reason: DeadLetterReason,
    description: string,
  ): Promise<void> {
    this.deadLettered++;
    this.metrics.deadLettered.inc({ table, reason });
    this.logger.warn(
      { messageId: message.messageId, table, reason, description },
      `dead-lettering message: ${description}`,
    );
    try {
      await this.source.deadLetter(message, reason, description);
    } catch (error) {
      this.failed('deadLetter', message, error);
    } finally {
      messageSettled(message, 'deadLetter', reason);
    }
  }

  private async settle(operation: 'complete' | 'abandon', message: SourceMessage): Promise<void> {
    try {
      await (operation === 'complete' ? this.source.complete(message) : this.source.abandon(message));
    } catch (error) {
      this.failed(operation, message, error);
    } finally {
      messageSettled(message, operation);
    }
  }

  private failed(operation: string, message: SourceMessage, error: unknown): void {
    this.metrics.settlementFailures.inc({ operation });
    this.logger.warn(
      { err: error, messageId: message.messageId },
      `${operation === 'deadLetter' ? 'dead-letter' : operation} failed: ${(error as Error).message}`,
    );
  }
}
