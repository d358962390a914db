import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../modules/catalog/catalog-builder.js';
import { generateTypescriptClient } from './typescript-client-generator.js';

const TABLE = `.create-merge table Events (TenantId: string, Id: long, At: datetime, Amount: decimal, Tags: dynamic, Ok: bool)`;

/** A function of every shape the generator distinguishes: bound, required, defaulted and dynamic parameters. */
const FUNCTION = `// @expose roles=analyst maxRows=50
// @bind tenantId=claim:tid
// @param lookback min=1h max=7d
.create-or-alter function with (docstring = 'Events that end a comment */ early', folder = 'test')
RecentEvents(tenantId: string, id: long, lookback: timespan = 1h, filter: dynamic = dynamic(null)) {
    Events | where TenantId == tenantId and Id >= id and At >= ago(lookback) | project Id, At, Amount, Tags, Ok
}`;

function generated(): string {
  const catalog = buildCatalog([
    { path: 'tables/events.kql', text: TABLE },
    { path: 'functions/RecentEvents.kql', text: FUNCTION },
  ]);
  expect(catalog.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return generateTypescriptClient(catalog);
}

describe('generateTypescriptClient', () => {
  it('should type every column as openapi.json does, nullable', () => {
    expect(generated()).toContain(
      [
        '/** One row of RecentEvents (kql/functions/RecentEvents.kql). */',
        'export interface RecentEventsRow {',
        '  /** Kusto long: a number; a decimal string beyond ±2^53 (Number.MAX_SAFE_INTEGER). */',
        '  readonly Id: number | string | null;',
        '  /** Kusto datetime: ISO 8601 UTC, e.g. 2024-05-01T10:00:00.0000000Z; toDate() makes a Date. */',
        '  readonly At: string | null;',
        '  /** Kusto decimal: a decimal string, exact (parse it with your decimal library). */',
        '  readonly Amount: string | null;',
        '  /** Kusto dynamic: any JSON value. */',
        '  readonly Tags: unknown;',
        '  /** Kusto bool: true or false. */',
        '  readonly Ok: boolean | null;',
        '}',
      ].join('\n'),
    );
  });

  it('should leave out bound parameters and document defaults and ranges', () => {
    expect(generated()).toContain(
      [
        '/**',
        ' * The parameters of RecentEvents.',
        " * `tenantId` is taken from the caller's `tid` claim.",
        ' */',
        'export interface RecentEventsParams {',
        '  /**',
        '   * KQL type long.',
        '   */',
        '  readonly id: number | string;',
        '  /**',
        '   * KQL type timespan; default 1h; between 1h and 7d.',
        '   * A timespan: 30m, 1h, 2d, 1.02:00:00 or ISO-8601 PT1H.',
        '   * @defaultValue 1h',
        '   */',
        '  readonly lookback?: string;',
        '  /**',
        '   * KQL type dynamic; default dynamic(null).',
        '   * Any JSON value (Kusto dynamic).',
        '   * @defaultValue dynamic(null)',
        '   */',
        '  readonly filter?: unknown;',
        '}',
      ].join('\n'),
    );
  });

  it('should make params required when a parameter is, send dynamic ones as JSON, and keep docstrings inside their comment', () => {
    const text = generated();
    expect(text).toContain(
      [
        '  /**',
        '   * Events that end a comment *\\/ early.',
        '   * Requires one of the roles: analyst.',
        '   * At most 50 rows (meta.truncated says when more existed). Source: kql/functions/RecentEvents.kql.',
        '   *',
        '   * GET /api/v1/functions/RecentEvents',
        '   * @throws KqlgateError when refused',
        '   */',
        '  recentEvents(params: RecentEventsParams, options: KqlgateCallOptions = {}): Promise<KqlgateResult<RecentEventsRow>> {',
        '    return this.transport.get<RecentEventsRow>(\'RecentEvents\', params, ["filter"], options);',
        '  }',
      ].join('\n'),
    );
    expect(text).toContain(
      '  streamRecentEvents(params: RecentEventsParams, options: KqlgateCallOptions = {}): KqlgateStream<RecentEventsRow> {',
    );
  });
});
