/**
 * A baseline of the gateway bench: the least an HTTP service in front of the engine can do — a node:http server
 * that sends one fixed query (with the same query parameters) through azure-kusto-data and answers the rows as
 * JSON. No routing, auth, validation, cache, logs or metrics. In its own process, so a call to it crosses the
 * same process boundaries as a call to the gateway: client → proxy → engine and back.
 *
 * The gateway's added latency over calling the engine directly is this extra hop plus the gateway's own work;
 * measured in the same run, the proxy tells the two apart. `startMinimalKustoProxy()` forks this file.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client, ClientRequestProperties, KustoConnectionStringBuilder } from 'azure-kusto-data';

export interface MinimalKustoProxy {
  url: string;
  stop(): Promise<void>;
}

export interface MinimalKustoProxyOptions {
  engineUrl: string;
  database: string;
  csl: string;
  parameters: Record<string, string>;
}

export function startMinimalKustoProxy(options: MinimalKustoProxyOptions): Promise<MinimalKustoProxy> {
  return new Promise((resolveProxy, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`minimal Kusto proxy exited with code ${code}`)));
    child.once('message', (message: { url: string }) =>
      resolveProxy({
        url: message.url,
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      }),
    );
    child.send(options);
  });
}

// Child side.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (options: MinimalKustoProxyOptions) => {
    // Configured as the gateway's client is (connector details set once: no OS user lookup per request).
    const connection = new KustoConnectionStringBuilder(options.engineUrl);
    connection.setConnectorDetails('kqlgate-bench-proxy', '1');
    const client = new Client(connection);
    const server = createServer((_request, response) => {
      const properties = new ClientRequestProperties();
      for (const [name, value] of Object.entries(options.parameters)) {
        properties.setParameter(name, value);
      }
      client.executeQuery(options.database, options.csl, properties).then(
        (result) => {
          // Rows as objects keyed by column name, as the gateway answers them.
          const table = result.primaryResults[0];
          const names = table.columns.map((column) => column.name ?? '');
          const data = (table._rows as unknown[][]).map((row) =>
            Object.fromEntries(names.map((name, index) => [name, row[index]])),
          );
          response.setHeader('content-type', 'application/json; charset=utf-8');
          response.end(JSON.stringify({ data }));
        },
        (error: unknown) => {
          response.statusCode = 502;
          response.end(String(error));
        },
      );
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      process.send!({ url: `http://127.0.0.1:${port}/` });
    });
  });
}
