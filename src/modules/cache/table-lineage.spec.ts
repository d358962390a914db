import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUpdatePolicies, TableLineage } from './table-lineage.js';

describe(TableLineage.name, () => {
  it('should follow update policies transitively', () => {
    const lineage = TableLineage.fromPolicies([
      { table: 'Orders', source: 'Raw' },
      { table: 'OrderLines', source: 'Raw' },
      { table: 'DailyOrders', source: 'Orders' },
    ]);
    expect(lineage.affectedBy('Raw')).toEqual(['Raw', 'Orders', 'OrderLines', 'DailyOrders']);
    expect(lineage.affectedBy('Payments')).toEqual(['Payments']);
  });

  it('should parse the policies of kql/tables', async () => {
    const lineage = await TableLineage.fromKqlDir(resolve(import.meta.dirname, '../../../kql'));
    expect(lineage.affectedBy('RawOrderEvents')).toEqual(
      expect.arrayContaining(['RawOrderEvents', 'Orders', 'OrderLines']),
    );
  });

  it('should name the file of a broken policy', () => {
    expect(() => parseUpdatePolicies(".alter table T policy update @'[{oops'", 'f.kql')).toThrow(
      /^f\.kql: update policy of T is not valid JSON/,
    );
    expect(
      parseUpdatePolicies(`.alter table T policy update @'[{"IsEnabled": false, "Source": "S"}]'`, 'f'),
    ).toEqual([]);
  });
});
