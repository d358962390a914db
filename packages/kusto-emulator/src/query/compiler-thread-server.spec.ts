import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../logging/logger.js';
import type { CompilerThreadReply, CompilerThreadRequest } from './compiler-thread-messages.js';
import { serveCompileRequests } from './compiler-thread-server.js';

describe(serveCompileRequests.name, () => {
  it('should compile nothing until a request asks (Kusto.Language loads on first use, not when serving starts)', async () => {
    const { port1, port2 } = new MessageChannel();
    const debug = vi.fn();
    const replies: CompilerThreadReply[] = [];
    port1.on('message', (reply: CompilerThreadReply) => replies.push(reply));
    try {
      serveCompileRequests(port2, { logger: { ...silentLogger, debug } });
      // Long enough for anything posted while serving started to arrive.
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(replies).toEqual([]);
      expect(debug).not.toHaveBeenCalled();

      const request: CompilerThreadRequest = {
        type: 'compile',
        id: 1,
        kql: 'print a = 1',
        schemaId: 1,
        schema: { name: 'db', tables: [], functions: [] },
        params: {},
      };
      const answered = new Promise<CompilerThreadReply>((resolve) => port1.once('message', resolve));
      port1.postMessage(request);
      expect(await answered).toMatchObject({ type: 'compiled', id: 1 });
    } finally {
      port1.close();
    }
  }, 120_000);
});
