import { describe, expect, it } from 'vitest';
import { DeadLetterReason } from './dead-letter-reason.js';
import { TableRouter } from './table-router.js';

const router = new TableRouter({
  property: 'eventType',
  routes: {
    OrderPlaced: { table: 'Orders', mapping: 'orders_json' },
    Audit: { table: 'AuditLog', format: 'multijson' },
  },
});

describe(TableRouter.name, () => {
  describe('route', () => {
    it('should prefer the Table/Format/IngestionMappingReference application properties', () => {
      const decision = router.route(
        { Table: 'Payments', Format: 'CSV', IngestionMappingReference: 'pay_csv', eventType: 'OrderPlaced' },
        { eventType: 'OrderPlaced' },
      );
      expect(decision).toEqual({
        kind: 'routed',
        target: { table: 'Payments', format: 'csv', mappingReference: 'pay_csv' },
      });
    });

    it('should default the format to json when only Table is given', () => {
      expect(router.route({ Table: 'Payments' }, {})).toEqual({
        kind: 'routed',
        target: { table: 'Payments', format: 'json' },
      });
    });

    it('should route by the eventType application property through the route table', () => {
      expect(router.route({ eventType: 'OrderPlaced' }, {})).toEqual({
        kind: 'routed',
        target: { table: 'Orders', format: 'json', mappingReference: 'orders_json' },
      });
    });

    it('should route by the eventType body field when no application property carries it', () => {
      expect(router.route(undefined, { eventType: 'Audit', x: 1 })).toEqual({
        kind: 'routed',
        target: { table: 'AuditLog', format: 'multijson' },
      });
    });

    it('should let IngestionMappingReference override the route mapping', () => {
      expect(router.route({ eventType: 'OrderPlaced', IngestionMappingReference: 'v2' }, {})).toEqual({
        kind: 'routed',
        target: { table: 'Orders', format: 'json', mappingReference: 'v2' },
      });
    });

    it('should reject a message without Table and without the routing property, naming both', () => {
      expect(router.route({}, { other: 1 })).toEqual({
        kind: 'rejected',
        reason: DeadLetterReason.Unroutable,
        description:
          "missing application property 'Table' and no 'eventType' (application property or body field) to route by",
      });
    });

    it('should reject an eventType that matches no route, listing the known ones', () => {
      expect(router.route({ eventType: 'Refund' }, {})).toEqual({
        kind: 'rejected',
        reason: DeadLetterReason.Unroutable,
        description:
          "missing application property 'Table' and 'eventType'='Refund' matches no route (known: OrderPlaced, Audit)",
      });
    });

    it('should use the fallback rule when one is configured', () => {
      const withFallback = new TableRouter({ property: 'kind', routes: {}, fallback: { table: 'Raw' } });
      expect(withFallback.route({}, {})).toEqual({
        kind: 'routed',
        target: { table: 'Raw', format: 'json' },
      });
    });

    it('should reject a Table property that is not a Kusto table name before it reaches a URL', () => {
      const rule =
        "(a name has 1 to 1024 letters, digits, '_', ' ', '.' or '-', not starting or ending with '__')";
      expect(router.route({ Table: 'FaultEvents#frag' }, {})).toEqual({
        kind: 'rejected',
        reason: DeadLetterReason.InvalidTargetName,
        description: `application property 'Table'="FaultEvents#frag" is not a valid Kusto table name: '#' is not allowed ${rule}`,
      });
      expect(router.route({ Table: 'x/../FaultEvents' }, {})).toMatchObject({
        reason: DeadLetterReason.InvalidTargetName,
        description: `application property 'Table'="x/../FaultEvents" is not a valid Kusto table name: '/' is not allowed ${rule}`,
      });
      expect(router.route({ Table: 'FaultEvents?x=1' }, {})).toMatchObject({
        reason: DeadLetterReason.InvalidTargetName,
        description: `application property 'Table'="FaultEvents?x=1" is not a valid Kusto table name: '?' is not allowed ${rule}`,
      });
    });

    it('should reject an IngestionMappingReference that is not a Kusto mapping name, with or without Table', () => {
      for (const props of [
        { Table: 'Orders', IngestionMappingReference: 'orders_json&x=1' },
        { eventType: 'OrderPlaced', IngestionMappingReference: 'orders_json&x=1' },
      ]) {
        expect(router.route(props, {})).toEqual({
          kind: 'rejected',
          reason: DeadLetterReason.InvalidTargetName,
          description:
            "application property 'IngestionMappingReference'=\"orders_json&x=1\" is not a valid Kusto mapping name: '&' is not allowed (a name has 1 to 1024 letters, digits, '_', ' ', '.' or '-', not starting or ending with '__')",
        });
      }
    });

    it('should cut a long invalid value in the description', () => {
      const decision = router.route({ Table: `${'T'.repeat(200)}#` }, {});
      expect(decision.kind === 'rejected' && decision.description).toMatch(
        new RegExp(
          `^application property 'Table'="${'T'.repeat(128)}…" is not a valid Kusto table name: '#'`,
        ),
      );
    });

    it('should reject an unsupported Format', () => {
      expect(router.route({ Table: 'T', Format: 'parquet' }, {})).toEqual({
        kind: 'rejected',
        reason: DeadLetterReason.UnsupportedFormat,
        description:
          "application property 'Format'='parquet' is not supported (use one of json, multijson, csv)",
      });
    });
  });
});
