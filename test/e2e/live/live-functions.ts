import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The functions of the live-results tests, each reading Orders (filled from RawOrderEvents by an update policy). */
export const LIVE_FUNCTIONS: Record<string, string> = {
  LiveOrders: `// @expose roles=analyst cache=30s live=0
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Orders of the caller tenant', folder = 'test')
LiveOrders(tenantId: string, minAmount: real = 0.0) {
    Orders
    | where TenantId == tenantId and TotalAmount >= minAmount
    | project OrderId, TenantId, TotalAmount
    | order by OrderId asc
}
`,
  LiveOrderPages: `// @expose roles=analyst live=0 maxRows=5000
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Large rows, for the slow-consumer test', folder = 'test')
LiveOrderPages(tenantId: string) {
    Orders
    | where TenantId == tenantId
    | extend Padding = strrep('x', 8000)
    | project OrderId, Padding
    | order by OrderId asc
}
`,
  RoleChanged: `// @expose roles=analyst
.create-or-alter function with (docstring = 'Its roles change during the test', folder = 'test')
RoleChanged() {
    Orders
    | summarize Orders = count()
}
`,
  Removed: `// @expose roles=analyst
.create-or-alter function with (docstring = 'Its @expose line goes during the test', folder = 'test')
Removed() {
    Orders
    | summarize Orders = count()
}
`,
  OpsOnly: `// @expose roles=operations
.create-or-alter function with (docstring = 'Needs a role the test callers lack', folder = 'test')
OpsOnly() {
    Orders
    | summarize Orders = count()
}
`,
};

/** A kql/ directory at `kqlDir` with the repository's tables and ingestion routes and LIVE_FUNCTIONS. */
export async function writeLiveKqlDir(kqlDir: string): Promise<void> {
  await cp(join(import.meta.dirname, '../../../kql/tables'), join(kqlDir, 'tables'), { recursive: true });
  await cp(
    join(import.meta.dirname, '../../../kql/ingestion-routes.json'),
    join(kqlDir, 'ingestion-routes.json'),
  );
  await mkdir(join(kqlDir, 'functions'));
  for (const [name, text] of Object.entries(LIVE_FUNCTIONS)) {
    await writeFile(join(kqlDir, 'functions', `${name}.kql`), text);
  }
}
