import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { writeTestKql } from './real-gateway.js';

const PUBLIC_LOOKUP = `// One order by id, for a public tracking page.
//
// @expose anonymous cache=0 cost=1
.create-or-alter function with (docstring = 'One order by id', folder = 'test')
PublicLookup(orderId: string) {
    Orders
    | where OrderId == orderId
    | project OrderId, TotalAmount
}
`;

/** Values no log line may contain: each is only ever sent as a function parameter. */
const IN_QUERY = 'qs7f3a9cprivate';
const IN_BODY = 'body9d2eprivate';
const IN_GRAPHQL = 'gql51b0private';
const IN_UNKNOWN_ROUTE = 'route44c1private';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/**
 * The real process (`node dist/src/main.js`) against an engine that is down, so that function calls fail with a
 * 5xx — the case where the URL used to be logged with its query string. Everything the process writes is captured.
 */
describe('parameter values never reach the log (real process)', () => {
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let url: string;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('log-privacy');
    const kqlDir = await writeTestKql(dir, { PublicLookup: PUBLIC_LOOKUP });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [join(repoRoot, 'dist', 'src', 'main.js')], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATA_DIR: dir,
        KQL_DIR: kqlDir,
        DEMO_RATE: '0',
        LOG_LEVEL: 'debug',
        // An ADX cluster nobody answers on: every function call is a 503 from the gateway.
        KUSTO_CLUSTER_URL: `http://127.0.0.1:${await freePort()}`,
        SERVICEBUS_EMBEDDED_PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/health/live`)).ok) {
          break;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`kqlgate did not start:\n${output.slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await removeDir(dir);
  });

  function lines(): LogLine[] {
    return output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  afterAll(() => {
    if (process.env.KQLGATE_TEST_SHOW_LOG) {
      process.stderr.write(output);
    }
  });

  it('should log a failed call with its route and path, and no parameter value anywhere', async () => {
    const viaQuery = await fetch(`${url}/api/v1/functions/PublicLookup?orderId=${IN_QUERY}`);
    // 502 or 503 (what the SDK makes of a refused connection): a server-side failure either way.
    expect(viaQuery.status).toBeGreaterThanOrEqual(502);
    expect(await viaQuery.json()).toMatchObject({ function: 'PublicLookup' });

    const viaBody = await fetch(`${url}/api/v1/functions/PublicLookup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: IN_BODY }),
    });
    expect(viaBody.status).toBeGreaterThanOrEqual(502);

    const viaGraphql = await fetch(`${url}/graphql?trace=${IN_GRAPHQL}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query ($id: String!) { PublicLookup(orderId: $id) { OrderId } }',
        variables: { id: IN_GRAPHQL },
      }),
    });
    expect(((await viaGraphql.json()) as { errors: unknown[] }).errors).toHaveLength(1);

    const unknownRoute = await fetch(`${url}/nowhere?token=${IN_UNKNOWN_ROUTE}`);
    expect(unknownRoute.status).toBe(404);

    // The lines are written before the responses are sent, but the pipe may deliver them a moment later.
    await expect
      .poll(() => lines().filter((l) => l.msg === 'request failed').length)
      .toBeGreaterThanOrEqual(2);
    const failed = lines().filter((l) => l.level >= 50 && l.path === '/api/v1/functions/PublicLookup');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    for (const line of failed) {
      expect(line).toMatchObject({ route: '/api/v1/functions/:name' });
    }
    expect(lines().filter((l) => l.audit === 'query' && l.function === 'PublicLookup')).not.toEqual([]);

    for (const value of [IN_QUERY, IN_BODY, IN_GRAPHQL, IN_UNKNOWN_ROUTE]) {
      expect(output, `"${value}" was logged`).not.toContain(value);
    }
    // No URL with a query string of any kind.
    expect(output).not.toMatch(/\/(api\/v1\/functions\/PublicLookup|graphql|nowhere)\?/);
  });
});
