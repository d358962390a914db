import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../../src/modules/auth/api-key-hasher.js';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { FunctionCatalogService } from '../../../src/modules/catalog/function-catalog.service.js';
import { KustoQueryClient } from '../../../src/modules/query/kusto-query.client.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { writeTestKql } from '../security/real-gateway.js';

/**
 * The MCP endpoint of the whole runtime, driven by the official MCP SDK client over Streamable HTTP: tools are the
 * functions a caller may call, and each call goes through the one execute path (roles, claim binding, rate limits)
 * with refusals reported as tool errors carrying the REST problem JSON.
 */
describe('MCP tools at /mcp (official SDK client, whole runtime)', () => {
  let dir: string;
  let instance: KqlgateInstance;
  let signer: DevSigningKeyStore;
  let apiKey: string;
  let kqlDir: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    dir = await tempDir('mcp-tools');
    apiKey = generateApiKey('partner');
    const keysFile = join(dir, 'api-keys.yaml');
    await writeFile(
      keysFile,
      `keys:\n  - id: partner\n    hash: ${hashApiKey(apiKey)}\n    roles: [support]\n    claims: { tid: A }\n`,
    );
    // TenantPayments costs 25 points: a second call within the window exceeds RATE_LIMIT_POINTS.
    instance = await startKqlgateInstance({
      KQL_DIR: (kqlDir = await writeTestKql(dir)),
      RATE_LIMIT_POINTS: '40',
      MCP_MAX_ROWS: '2',
      API_KEYS_FILE: keysFile,
    });
    signer = new DevSigningKeyStore(instance.dataDir);
    const kusto = new KustoQueryClient(
      instance.config.kustoClusterUrl,
      instance.config.KUSTO_DATABASE,
      'none',
    );
    try {
      await kusto.command('.ingest inline into table Orders <|\nA,a-1,10\nB,b-1,30\nB,b-2,40\nB,b-3,50');
      await kusto.command('.ingest inline into table Payments <|\nA,p-1,5\nB,q-1,6');
    } finally {
      kusto.close();
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await instance?.stop();
    await removeDir(dir);
  });

  const token = (
    subject: string,
    roles: string[],
    claims: Record<string, unknown> = { tid: 'B' },
  ): Promise<string> => signer.sign({ subject, roles, claims });

  async function connect(
    bearer: string,
    headers: Record<string, string> = { authorization: `Bearer ${bearer}` },
  ): Promise<Client> {
    const client = new Client({ name: 'kqlgate-e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${instance.url}/mcp`), { requestInit: { headers } }),
    );
    clients.push(client);
    return client;
  }

  it('should list the functions a caller may call as tools, fewer for a caller with fewer roles', async () => {
    const analyst = await connect(await token('mcp-analyst', ['analyst']));
    const support = await connect(await token('mcp-support', ['support']));
    expect((await analyst.listTools()).tools.map((tool) => tool.name)).toEqual([
      'PublicOrderCount',
      'TenantOrderList',
      'TenantPayments',
    ]);
    expect((await support.listTools()).tools.map((tool) => tool.name)).toEqual([
      'PublicOrderCount',
      'TenantOrderList',
    ]);
  });

  it('should describe a tool by its docstring, caller parameters and row columns, without the claim-bound one', async () => {
    const client = await connect(await token('mcp-schema', ['support']));
    const tool = (await client.listTools()).tools.find((t) => t.name === 'TenantOrderList')!;
    expect(tool.description).toBe(
      [
        'Orders of the caller tenant',
        "`tenantId` is taken from the caller's `tid` claim.",
        'Returns at most 2 rows; `truncated` is true when more existed (narrow the parameters to see them).',
      ].join('\n'),
    );
    expect(tool.inputSchema).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        minAmount: {
          type: 'number',
          format: 'double',
          default: 0,
          description: 'KQL type real; default 0.0',
        },
      },
      required: [],
    });
    expect(tool.outputSchema?.properties?.rows).toEqual({
      type: 'array',
      items: {
        type: 'object',
        description: 'One row of TenantOrderList',
        properties: {
          OrderId: { type: ['string', 'null'], 'x-kusto-type': 'string' },
          TenantId: { type: ['string', 'null'], 'x-kusto-type': 'string' },
          TotalAmount: { type: ['number', 'null'], format: 'double', 'x-kusto-type': 'real' },
        },
        required: ['OrderId', 'TenantId', 'TotalAmount'],
      },
    });
  });

  it('should call a tool and return typed rows of the caller tenant, cut at MCP_MAX_ROWS', async () => {
    const client = await connect(await token('mcp-caller', ['support']));
    const result = await client.callTool({ name: 'TenantOrderList', arguments: { minAmount: 20 } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      rows: [
        { OrderId: 'b-1', TenantId: 'B', TotalAmount: 30 },
        { OrderId: 'b-2', TenantId: 'B', TotalAmount: 40 },
      ],
      rowCount: 2,
      truncated: true,
      maxRows: 2,
    });
    expect(JSON.parse((result.content as [{ text: string }])[0].text)).toEqual(result.structuredContent);

    const fewer = await client.callTool({ name: 'TenantOrderList', arguments: { minAmount: 45 } });
    expect(fewer.structuredContent).toMatchObject({
      rows: [{ OrderId: 'b-3', TenantId: 'B', TotalAmount: 50 }],
      rowCount: 1,
      truncated: false,
    });
  });

  it('should take a partner API key, with the tenant bound to the key', async () => {
    const client = await connect('', { 'x-api-key': apiKey });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([
      'PublicOrderCount',
      'TenantOrderList',
    ]);
    const result = await client.callTool({ name: 'TenantOrderList', arguments: {} });
    expect(result.structuredContent).toMatchObject({
      rows: [{ OrderId: 'a-1', TenantId: 'A', TotalAmount: 10 }],
      truncated: false,
    });
  });

  it('should refuse a claim-bound parameter passed as an argument, as REST does', async () => {
    const client = await connect(await token('mcp-bound', ['support']));
    const result = await client.callTool({ name: 'TenantOrderList', arguments: { tenantId: 'A' } });
    expect(result.isError).toBe(true);
    expect(JSON.parse((result.content as [{ text: string }])[0].text)).toMatchObject({
      status: 400,
      code: 'AUTH_BOUND_PARAMETER_SUPPLIED',
      parameter: 'tenantId',
    });
  });

  it('should answer a call the caller may not make as a tool error with the REST problem', async () => {
    const client = await connect(await token('mcp-forbidden', ['support']));
    const result = await client.callTool({ name: 'TenantPayments', arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.parse((result.content as [{ text: string }])[0].text)).toEqual({
      type: 'https://kqlgate.dev/problems/auth-forbidden',
      title: 'function TenantPayments requires one of: role analyst',
      status: 403,
      code: 'AUTH_FORBIDDEN',
      function: 'TenantPayments',
      requiredRoles: ['analyst'],
      requiredScopes: [],
    });
  });

  it('should answer a rate-limited call as a tool error with the REST problem', async () => {
    const client = await connect(await token('mcp-limited', ['analyst']));
    const first = await client.callTool({ name: 'TenantPayments', arguments: {} });
    expect(first.structuredContent).toMatchObject({
      rows: [{ PaymentId: 'q-1', Amount: 6 }],
      truncated: false,
    });
    const second = await client.callTool({ name: 'TenantPayments', arguments: {} });
    expect(second.isError).toBe(true);
    expect(JSON.parse((second.content as [{ text: string }])[0].text)).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      function: 'TenantPayments',
    });
  });

  it('should answer 401 with the REST challenge to a request without credentials', async () => {
    const rest = await fetch(`${instance.url}/api/v1/functions/TenantOrderList`);
    const mcp = await fetch(`${instance.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get('x-request-id')).toBeTruthy();
    expect(mcp.headers.get('www-authenticate')).toBe(rest.headers.get('www-authenticate'));
    expect(mcp.headers.get('www-authenticate')).toBe('Bearer realm="kqlgate", ApiKey realm="kqlgate"');
    expect(await mcp.json()).toEqual({
      type: 'https://kqlgate.dev/problems/auth-unauthenticated',
      title: '/mcp requires authentication: send a bearer token or an API key',
      status: 401,
      code: 'AUTH_UNAUTHENTICATED',
    });

    const client = new Client({ name: 'kqlgate-e2e', version: '1.0.0' });
    await expect(
      client.connect(new StreamableHTTPClientTransport(new URL(`${instance.url}/mcp`))),
    ).rejects.toThrow(/401/);
  });

  it('should list and call a function added by a catalog reload on the next tools/list of the same client', async () => {
    const client = await connect(await token('mcp-reload', ['support']));
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('TenantOrderTotal');
    await writeFile(
      join(kqlDir, 'functions', 'TenantOrderTotal.kql'),
      `// @expose roles=support cache=60s cost=1
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Order total of the caller tenant', folder = 'test')
TenantOrderTotal(tenantId: string) {
    Orders
    | where TenantId == tenantId
    | summarize Total = sum(TotalAmount)
}
`,
    );
    await instance.app.get(FunctionCatalogService).reload();
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('TenantOrderTotal');
    const result = await client.callTool({ name: 'TenantOrderTotal', arguments: {} });
    expect(result.structuredContent).toMatchObject({ rows: [{ Total: 120 }], rowCount: 1 });
  });

  it('should answer GET and DELETE with 405: no sessions, no server-sent stream', async () => {
    const headers = { authorization: `Bearer ${await token('mcp-get', ['support'])}` };
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${instance.url}/mcp`, { method, headers });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(await response.json()).toEqual({
        status: 405,
        code: 'MCP_METHOD_NOT_ALLOWED',
        title: `${method} /mcp is not offered: this MCP server is stateless (no sessions, no server-sent stream); POST JSON-RPC messages`,
      });
    }
  });
});

describe('MCP_ENABLED=false', () => {
  let instance: KqlgateInstance;

  beforeAll(async () => {
    instance = await startKqlgateInstance({ MCP_ENABLED: 'false' });
  });

  afterAll(async () => {
    await instance?.stop();
  });

  it('should have no /mcp route, while REST still answers', async () => {
    const signer = new DevSigningKeyStore(instance.dataDir);
    const headers = {
      authorization: `Bearer ${await signer.sign({ subject: 'mcp-off', roles: ['analyst'], claims: { tid: 'A' } })}`,
      'content-type': 'application/json',
    };
    const mcp = await fetch(`${instance.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(mcp.status).toBe(404);
    const rest = await fetch(`${instance.url}/api/v1/functions/PaymentFailureRate?lookback=1h`, { headers });
    expect(rest.status).toBe(200);
  });
});
