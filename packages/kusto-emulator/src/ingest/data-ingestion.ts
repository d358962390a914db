/**
 * Ingestion of a data body (streaming ingestion and `.ingest inline`): parse the format, apply the mapping,
 * hand the rows to the IngestionService. Everything that can be wrong with the input is detected before the
 * write transaction starts, so bad input changes nothing.
 */
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';
import type { MappingKind } from '../storage/catalog-types.js';
import { mappingKey, type KustoDatabase } from '../storage/kusto-database.js';
import { createRowMapper } from './ingestion-mapping.js';
import type { IngestionService, IngestResult } from './ingestion-service.js';
import { isJsonFormat, parseIngestFormat, readDelimitedRecords, readJsonRecords } from './record-readers.js';

export interface DataIngestionRequest {
  table: string;
  format: string | undefined;
  mappingName?: string;
  data: string;
  tags?: string[];
  ingestIfNotExists?: string[];
}

export async function ingestData(
  service: IngestionService,
  database: KustoDatabase,
  request: DataIngestionRequest,
): Promise<IngestResult> {
  const table = database.table(request.table);
  const format = parseIngestFormat(request.format);
  const kind: MappingKind = isJsonFormat(format) ? 'Json' : 'Csv';
  let mapping;
  if (request.mappingName) {
    const entry = database.catalog.mappings.get(mappingKey(table.name, kind, request.mappingName));
    if (!entry) {
      const otherKind: MappingKind = kind === 'Json' ? 'Csv' : 'Json';
      const other = database.catalog.mappings.get(mappingKey(table.name, otherKind, request.mappingName));
      const hint = other
        ? ` A ${otherKind} mapping with that name exists, but format '${format}' needs a ${kind} mapping.`
        : '';
      throw new KustoEngineError(
        KustoErrorCode.EntityNotFound,
        `${kind} ingestion mapping '${request.mappingName}' was not found in table '${table.name}' of database '${database.name}'.${hint}`,
        { kind: 'IngestionMapping', name: request.mappingName },
      );
    }
    mapping = entry.mapping;
  }
  const mapper = createRowMapper(table, kind, mapping);
  const records = isJsonFormat(format)
    ? readJsonRecords(request.data, format)
    : readDelimitedRecords(request.data, format);
  const rows = records.map((record, i) => mapper(record, i + 1));
  return service.ingest(database, {
    table: table.name,
    rows: { kind: 'values', rows },
    tags: request.tags ?? [],
    ingestIfNotExists: request.ingestIfNotExists ?? [],
  });
}
