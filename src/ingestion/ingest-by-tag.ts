/**
 * One message's ingest-by tag in a table: the same whatever batch carries the message, so that the engine recognizes
 * it in any regrouping (a retry, or a redelivery batched differently; kusto-ingest-sink's module comment). Hashed:
 * a tag of bounded length and plain characters, whatever the message id holds. Computed once per message, when it
 * becomes a PipelineEntry: the batch measures that tag against the queue message budget and the sink writes it.
 */
import { createHash } from 'node:crypto';

export function ingestByTag(table: string, messageId: string): string {
  const hash = createHash('sha256').update(table).update('\n').update(messageId).digest('hex');
  return `kqlgate-${hash.slice(0, 32)}`;
}
