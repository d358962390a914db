/**
 * The pipeline's first steps for one received message: admit → route → encode → hand over to a batch.
 *
 * - admit: AdmissionControl waits for a slot (backpressure) and checks body size and JSON depth;
 * - route: TableRouter picks the target table, format and mapping;
 * - encode: one JSON object per line, `messageId`/`_enqueuedTime` added (event-encoder);
 * - hand over: the entry, with its ingest-by tag hashed once, goes to the hold and batching steps.
 *
 * A message refused on the way is dead-lettered with the reason. An admitted message holds its slot until it is
 * settled or handed over (the batch's settlement frees it then), whatever routing or encoding throws: what throws
 * there is pure and throws again on every delivery, so the message is dead-lettered with the cause.
 */
import type { Logger } from '../common/logging/logger.js';
import type { AdmissionControl } from './admission-control.js';
import { DeadLetterReason } from './dead-letter-reason.js';
import { encodeEvent } from './event-encoder.js';
import { ingestByTag } from './ingest-by-tag.js';
import type { IngestionMetrics } from './ingestion-metrics.js';
import { messageReceived, messageRouted } from './ingestion-tracer.js';
import type { LimitRejection } from './message-limits.js';
import type { PipelineEntry } from './pipeline-entry.js';
import type { Settlement } from './settlement.js';
import type { SourceMessage } from './subscription-receiver.js';
import type { TableRouter } from './table-router.js';

export interface MessageIntakeDeps {
  admission: AdmissionControl;
  router: Pick<TableRouter, 'route'>;
  settlement: Settlement;
  metrics: IngestionMetrics;
  logger: Logger;
  /** A batch's byte budget: an event that alone exceeds it is refused (event-encoder). */
  maxEventBytes: number;
  /** False once the pipeline drains: a waiting message is handed straight back. */
  running: () => boolean;
  /** True while the engine fails transiently: reception waits. */
  paused: () => boolean;
  /** Takes over the entry and its admission slot: its batch (or its twin's release) settles it and frees the slot. */
  handOver: (entry: PipelineEntry) => void;
}

/** Whether an admitted message still holds its admission slot (until it is settled or handed over). */
interface Admission {
  holdsSlot: boolean;
  table?: string;
}

const UNROUTED_TABLE = '(unrouted)';
/** Metric label of messages refused before routing (body size, JSON depth). */
const ADMISSION_TABLE = '(admission)';

export class MessageIntake {
  /** Messages admitted and counted against a table (routed, or refused with a label) since start. */
  received = 0;

  constructor(private readonly deps: MessageIntakeDeps) {}

  /** The source's message handler: resolves once the message is handed over, refused, or handed back. */
  async receive(message: SourceMessage): Promise<void> {
    messageReceived(message);
    const { admission: control, settlement } = this.deps;
    const admitted = await control.admit(this.deps.running, this.deps.paused);
    if (!admitted) {
      // Draining: hand the message straight back so another replica can take it.
      await settlement.abandon(message);
      return;
    }
    const admission: Admission = { holdsSlot: true };
    try {
      await this.process(message, admission);
    } catch (error) {
      // Routing and encoding are pure: what throws there throws again on every delivery. Dead-letter with the
      // cause instead of letting the SDK abandon it until MaxDeliveryCountExceeded says nothing.
      this.deps.logger.error(
        { err: error, messageId: message.messageId },
        `processing message ${message.messageId} failed unexpectedly`,
      );
      if (admission.holdsSlot) {
        if (admission.table === undefined) {
          this.countReceived(UNROUTED_TABLE);
        }
        await settlement.deadLetter(
          message,
          admission.table ?? UNROUTED_TABLE,
          DeadLetterReason.ProcessingFailed,
          `kqlgate could not process the message: ${describeError(error)}`,
        );
      }
    } finally {
      if (admission.holdsSlot) {
        control.release(1);
      }
    }
  }

  /** Admission checks, route, encode, hand over; a message refused on the way is dead-lettered. */
  private async process(message: SourceMessage, admission: Admission): Promise<void> {
    const checked = this.deps.admission.check(message.body);
    if ('reason' in checked) {
      await this.refuse(message, ADMISSION_TABLE, checked, admission);
      return;
    }
    const { body, parsed } = checked;
    const decision = this.deps.router.route(
      message.applicationProperties,
      parsed.ok ? parsed.value : undefined,
    );
    if (decision.kind === 'rejected') {
      await this.refuse(message, UNROUTED_TABLE, decision, admission);
      return;
    }
    const target = decision.target;
    messageRouted(message, target.table);
    this.countReceived(target.table);
    admission.table = target.table;
    const encoded = encodeEvent({
      body,
      parsed,
      messageId: message.messageId,
      enqueuedTimeUtc: message.enqueuedTimeUtc,
      format: target.format,
      maxBytes: this.deps.maxEventBytes,
    });
    if (encoded.kind === 'rejected') {
      await this.deps.settlement.deadLetter(message, target.table, encoded.reason, encoded.description);
      return;
    }
    const entry: PipelineEntry = {
      message,
      target,
      payload: encoded.payload,
      rows: encoded.rows,
      batchKey: `${target.table}\u0001${target.format}\u0001${target.mappingReference ?? ''}`,
      idKey: `${target.table}\u0001${message.messageId}`,
      ingestByTag: ingestByTag(target.table, message.messageId),
    };
    admission.holdsSlot = false;
    this.deps.handOver(entry);
  }

  private async refuse(
    message: SourceMessage,
    table: string,
    rejection: LimitRejection,
    admission: Admission,
  ): Promise<void> {
    this.countReceived(table);
    messageRouted(message, table);
    admission.table = table;
    await this.deps.settlement.deadLetter(message, table, rejection.reason, rejection.description);
  }

  private countReceived(table: string): void {
    this.received++;
    this.deps.metrics.received.inc({ table });
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
