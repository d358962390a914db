/**
 * The baseline of the cache bench: a bare Fastify route (no plugins, no logger) answering a fixed JSON body, in
 * its own process so it is measured exactly as the gateway is. `startBareJsonServer()` forks this file.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';

export interface BareJsonServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function startBareJsonServer(body: string): Promise<BareJsonServer> {
  return new Promise((resolveServer, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.once('error', reject);
    child.once('message', (message: { url: string }) =>
      resolveServer({
        url: message.url,
        pid: child.pid!,
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      }),
    );
    child.send({ body });
  });
}

// Child side.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (message: { body: string }) => {
    const fastify = Fastify({ logger: false });
    fastify.get('/same', (_request, reply) =>
      reply.header('content-type', 'application/json; charset=utf-8').send(message.body),
    );
    fastify.listen({ port: 0, host: '127.0.0.1' }).then(
      (address) => process.send!({ url: `${address}/same` }),
      (error: unknown) => {
        process.stderr.write(`bare JSON server: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
