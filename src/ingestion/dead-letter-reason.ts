/**
 * The reasons kqlgate writes into `DeadLetterReason` when it gives up on a message. They are part of the
 * operator-facing contract (alerts and DLQ tooling filter on them), so they are stable PascalCase strings like the
 * ones Service Bus itself uses (`MaxDeliveryCountExceeded`, `TTLExpiredException`).
 */
export enum DeadLetterReason {
  /** The body is not JSON (or not a JSON object/array of objects) although the route's format needs JSON. */
  InvalidJson = 'InvalidJson',
  /** Neither the `Table` application property nor the route table names a target table. */
  Unroutable = 'Unroutable',
  /** The `Format` application property names a format the ingestion pipeline cannot ingest. */
  UnsupportedFormat = 'UnsupportedFormat',
  /** The engine rejected this message's rows (mapping, schema or conversion failure) — isolated by bisection. */
  MappingFailure = 'MappingFailure',
  /**
   * The body exceeds INGEST_MAX_BODY_BYTES, or its encoded rows exceed the per-request limit, so no batch can
   * ever carry it.
   */
  MessageTooLarge = 'MessageTooLarge',
  /** The body's JSON nests deeper than INGEST_MAX_JSON_DEPTH. */
  NestingTooDeep = 'NestingTooDeep',
  /** The `Table` or `IngestionMappingReference` application property is not a valid Kusto entity name. */
  InvalidTargetName = 'InvalidTargetName',
  /** Routing or encoding the message threw: the description names the error (a defect to report). */
  ProcessingFailed = 'ProcessingFailed',
}
