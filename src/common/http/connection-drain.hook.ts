import type { FastifyInstance } from 'fastify';

/**
 * On close, Node's server waits for every open connection to end. Idle keep-alive sockets are closed at once
 * (`forceCloseConnections: 'idle'`), but a socket busy with a request would go back to idle afterwards and hold the
 * shutdown open until its keep-alive timeout (72 s). Answering in-flight requests with `Connection: close` once
 * closing has begun makes each socket end right after its last response.
 */
export function registerConnectionDrain(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) {
      void reply.header('connection', 'close');
    }
    done(null, payload);
  });
}
