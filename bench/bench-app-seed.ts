import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { DevSigningKeyStore } from '../src/modules/auth/dev-signing-key.store.js';
import type { KqlgateProcess } from './kqlgate-process.js';

/**
 * Prepares a started app for a suite's calls: ingests `ordersCsv` (inline CSV of kql/tables/orders.kql's columns)
 * into its engine through the real Kusto SDK, and returns a bearer token of its development signing key for
 * `subject`, an analyst of tenant A (`tid` claim) — the caller the bench functions are exposed to.
 */
export async function seedBenchApp(app: KqlgateProcess, ordersCsv: string, subject: string): Promise<string> {
  const engine = new Client(new KustoConnectionStringBuilder(app.engineUrl));
  try {
    await engine.executeMgmt('analytics', `.ingest inline into table Orders <|\n${ordersCsv}`);
  } finally {
    engine.close();
  }
  return new DevSigningKeyStore(app.dataDir).sign({ subject, roles: ['analyst'], claims: { tid: 'A' } });
}
