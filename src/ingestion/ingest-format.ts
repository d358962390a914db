/**
 * The data formats the pipeline can batch. JSON formats are encoded one object per line (the `json` stream
 * format), which is what lets the pipeline carry the Service Bus MessageId into each row; `csv` bodies pass
 * through verbatim (no message id can be added, so such routes are not deduplicated — see docs/ingestion.md).
 */
export const INGEST_FORMATS = ['json', 'multijson', 'csv'] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

export function isIngestFormat(value: string): value is IngestFormat {
  return (INGEST_FORMATS as readonly string[]).includes(value);
}

/** JSON-family formats are re-encoded as newline-delimited objects and sent to the engine as `json`. */
export function wireFormat(format: IngestFormat): 'json' | 'csv' {
  return format === 'csv' ? 'csv' : 'json';
}
