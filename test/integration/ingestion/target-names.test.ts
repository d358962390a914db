/**
 * `Table` and `IngestionMappingReference` application properties go into the streaming-ingest URL
 * (`/v1/rest/ingest/{db}/{table}?streamFormat=…&mappingName=…`). Names that would cut or reshape that URL — a
 * fragment, a path that walks back to another table, a query string — are dead-lettered saying which property is
 * not a Kusto name and why, and nothing reaches the engine for them; valid names with a space and non-ASCII
 * letters land in their table. Real SDK sender, real pipeline, real engine.
 */
import type { ServiceBusMessage } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterReason } from '../../../src/ingestion/dead-letter-reason.js';
import { createIngestionPipeline } from '../../../src/ingestion/ingestion-factory.js';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { DATABASE, IngestionStack, waitUntil } from './ingestion-stack.js';

const TABLE = 'FaultEvents';
const MAPPING = 'FaultEvents_json';
const SPACED_TABLE = 'Fault Événements';
const SPACED_MAPPING = 'Fault Événements json';
const RULE = "(a name has 1 to 1024 letters, digits, '_', ' ', '.' or '-', not starting or ending with '__')";

function message(id: string, properties: Record<string, string>): ServiceBusMessage {
  return {
    messageId: id,
    body: { seq: 1, kind: 'fault', payload: id },
    applicationProperties: properties,
    contentType: 'application/json',
  };
}

describe(IngestionPipeline.name, () => {
  const stack = new IngestionStack();

  beforeAll(async () => {
    await stack.start();
    await stack.createTable(TABLE, MAPPING);
    await stack.createTable(`['${SPACED_TABLE}']`, SPACED_MAPPING);
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('should dead-letter Table and mapping names that are not Kusto names, and ingest valid ones verbatim', async () => {
    const pipeline = createIngestionPipeline(stack.settings());
    await pipeline.start();
    const bad: Array<[string, Record<string, string>, string]> = [
      [
        'fragment',
        { Table: 'FaultEvents#frag', IngestionMappingReference: MAPPING },
        `application property 'Table'="FaultEvents#frag" is not a valid Kusto table name: '#' is not allowed ${RULE}`,
      ],
      [
        'dot-segments',
        { Table: 'x/../FaultEvents', IngestionMappingReference: MAPPING },
        `application property 'Table'="x/../FaultEvents" is not a valid Kusto table name: '/' is not allowed ${RULE}`,
      ],
      [
        'query',
        { Table: 'FaultEvents?x=1', IngestionMappingReference: MAPPING },
        `application property 'Table'="FaultEvents?x=1" is not a valid Kusto table name: '?' is not allowed ${RULE}`,
      ],
      [
        'mapping-query',
        { Table: TABLE, IngestionMappingReference: 'FaultEvents_json&streamFormat=csv' },
        `application property 'IngestionMappingReference'="FaultEvents_json&streamFormat=csv" is not a valid Kusto mapping name: '&' is not allowed ${RULE}`,
      ],
      [
        'quoted',
        { Table: "['FaultEvents']", IngestionMappingReference: MAPPING },
        `application property 'Table'="['FaultEvents']" is not a valid Kusto table name: '[' is not allowed (give the name itself, without [' '] quoting) ${RULE}`,
      ],
    ];
    await stack.send([
      ...bad.map(([id, properties]) => message(id, properties)),
      message('good', { Table: TABLE, IngestionMappingReference: MAPPING }),
      message('spaced', { Table: SPACED_TABLE, IngestionMappingReference: SPACED_MAPPING }),
    ]);

    await waitUntil('every message is settled', () => stack.subscriptionEmpty(), 60_000);
    await pipeline.stop();

    // Only the valid message reached FaultEvents: no CSV garbage row, no row through a rewritten path.
    const rows = await stack.kustoClient.execute(DATABASE, `${TABLE} | project MessageId, Payload`);
    expect(rows.primaryResults[0].toJSON<{ MessageId: string; Payload: string }>().data).toEqual([
      { MessageId: 'good', Payload: 'good' },
    ]);
    expect(await stack.counts(`['${SPACED_TABLE}']`)).toEqual({ rows: 1, distinct: 1 });
    const dead = await stack.drainDeadLetters();
    expect(dead.sort((a, b) => a.messageId.localeCompare(b.messageId))).toEqual(
      bad
        .map(([id, , description]) => ({
          messageId: id,
          reason: DeadLetterReason.InvalidTargetName,
          description,
        }))
        .sort((a, b) => a.messageId.localeCompare(b.messageId)),
    );
  });
});
