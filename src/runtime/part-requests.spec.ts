import { describe, expect, it } from 'vitest';
import type { RunningPart } from './part.js';
import type { PartReply, PartRequest } from './part-messages.js';
import { partRequestHandler } from './part-requests.js';

const START: Extract<PartRequest, { type: 'start' }> = {
  type: 'start',
  input: { host: '127.0.0.1', port: 0, dataDir: '/tmp/x', databases: ['analytics'] },
  logLevel: 'silent',
};

function deferred(): { promise: Promise<unknown>; resolve(value?: unknown): void } {
  let resolve!: (value?: unknown) => void;
  const promise = new Promise<unknown>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await Promise.resolve();
  }
}

describe(partRequestHandler.name, () => {
  it('should answer a close that arrives while the modules load only once they are loaded (no teardown mid-load)', async () => {
    const loading = deferred();
    const replies: PartReply[] = [];
    let done = false;
    const handle = partRequestHandler({
      preloaded: loading.promise,
      startPart: () => Promise.reject(new Error('not started in this test')),
      reply: (message) => replies.push(message),
      done: () => {
        done = true;
      },
    });
    handle({ type: 'close' });
    await settle();
    expect(replies).toEqual([]);
    expect(done).toBe(false);

    loading.resolve(undefined);
    await settle();
    expect(replies).toEqual([{ type: 'closed' }]);
    expect(done).toBe(true);
  });

  it('should close a part whose start is still in progress after it started, then answer closed', async () => {
    const starting = deferred();
    const events: string[] = [];
    const part: RunningPart<unknown> = {
      facts: { url: 'http://127.0.0.1:1' },
      close: () => {
        events.push('part closed');
        return Promise.resolve();
      },
    };
    let startSignal: AbortSignal | undefined;
    const handle = partRequestHandler({
      preloaded: Promise.resolve(undefined),
      startPart: async (_request, signal) => {
        startSignal = signal;
        await starting.promise;
        return part;
      },
      reply: (message) => events.push(message.type),
      done: () => events.push('done'),
    });
    handle(START);
    await settle();
    expect(startSignal?.aborted).toBe(false);
    handle({ type: 'close' });
    await settle();
    expect(events).toEqual([]);
    // Told to end early; a start that cannot is still waited for.
    expect(startSignal?.aborted).toBe(true);
    starting.resolve();
    await settle();
    expect(events).toEqual(['ready', 'part closed', 'closed', 'done']);
  });

  it('should report a module that failed to load as the failure of the start', async () => {
    const replies: PartReply[] = [];
    const handle = partRequestHandler({
      preloaded: Promise.resolve(new Error('Cannot find module duckdb.node')),
      startPart: () => Promise.reject(new Error('must not be called')),
      reply: (message) => replies.push(message),
      done: () => undefined,
    });
    handle(START);
    await settle();
    expect(replies).toEqual([
      expect.objectContaining({ type: 'failed', message: 'Cannot find module duckdb.node' }),
    ]);
  });
});
