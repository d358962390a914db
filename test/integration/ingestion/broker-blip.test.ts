/**
 * A broker blip: the broker runs as its own process (`kqlgate emulator servicebus`), is killed with SIGKILL while
 * the ingestion is subscribed, and comes back 2 s later on the same port and store. Reception must resume within
 * seconds of its return — not after the SDK's default 30 s retry delay — and readiness must say the receive link
 * is down while it is. Real processes, real Service Bus SDK (sender and receiver), real engine client.
 */
import { ServiceBusClient } from '@azure/service-bus';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedServiceBusConnectionString } from '../../../src/config/env.dto.js';
import { createIngestionPipeline } from '../../../src/ingestion/ingestion-factory.js';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { IngestionStack, TOPIC, brokerConfig, event, waitUntil } from './ingestion-stack.js';

/** Sanity bound only (the target is ≤ 5 s): far below the SDK's 30 s default retry delay. */
const RESUME_BOUND_MS = 15_000;

describe(IngestionPipeline.name, () => {
  let dir: string;
  let configFile: string;
  let port: number;
  let broker: ChildProcess | undefined;
  let stack: IngestionStack;
  let pipeline: IngestionPipeline | undefined;

  /** Starts the broker process and resolves once it listens. */
  async function startBroker(): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'bin', 'kqlgate.js'),
        'emulator',
        'servicebus',
        '--port',
        String(port),
        '--data-dir',
        join(dir, 'store'),
        '--config',
        configFile,
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`broker did not start:\n${output}`)), 60_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(`servicebus emulator listening on 127.0.0.1:${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`broker exited with ${code}:\n${output}`));
      });
    });
    child.removeAllListeners('exit');
    return child;
  }

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('broker-blip');
    configFile = join(dir, 'config.json');
    await writeFile(configFile, JSON.stringify(brokerConfig()));
    port = await freePort();
    broker = await startBroker();
    stack = new IngestionStack({ brokerConnectionString: embeddedServiceBusConnectionString(port) });
    await stack.start();
    await stack.createTable();
  });

  afterAll(async () => {
    await pipeline?.stop();
    await stack?.stop();
    broker?.kill('SIGKILL');
    await removeDir(dir);
  });

  it('should resume reception within seconds of the broker coming back, and report the link down meanwhile', async () => {
    const running = createIngestionPipeline(stack.settings({ unreachableThresholdMs: 1_000 }));
    pipeline = running;
    await running.start();
    await stack.send([event(0)]);
    await waitUntil('the first event is ingested', async () => (await stack.counts()).rows === 1, 30_000);
    expect(await running.sourceStatus()).toEqual({ up: true, details: { link: 'attached' } });

    const killedAt = Date.now();
    broker!.kill('SIGKILL');
    await new Promise((resolve) => broker!.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, killedAt + 2_000 - Date.now())));
    // Detached for longer than the 1 s threshold: readiness fails, saying why.
    const down = await running.sourceStatus();
    expect(down.up).toBe(false);
    expect(down.details).toMatchObject({ link: 'detached', thresholdMs: 1_000 });

    broker = await startBroker();
    const backAt = Date.now();
    let attachedAfterMs: number | undefined;
    const watching = (async () => {
      while (attachedAfterMs === undefined && Date.now() - backAt < RESUME_BOUND_MS) {
        if ((await running.sourceStatus()).up) {
          attachedAfterMs = Date.now() - backAt;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    // A producer that connects after the broker's return, as a real one would.
    const producer = new ServiceBusClient(embeddedServiceBusConnectionString(port));
    try {
      const sender = producer.createSender(TOPIC);
      await sender.sendMessages(event(1));
      await sender.close();
    } finally {
      await producer.close();
    }
    await waitUntil(
      'the event sent after the restart is ingested',
      async () => (await stack.counts()).rows === 2,
      RESUME_BOUND_MS,
    );
    const resumedAfterMs = Date.now() - backAt;
    await watching;
    process.stdout.write(
      `broker blip: link attached ${attachedAfterMs} ms and event ingested ${resumedAfterMs} ms after the broker's return\n`,
    );

    expect(resumedAfterMs).toBeLessThan(RESUME_BOUND_MS);
    expect(await running.sourceStatus()).toEqual({ up: true, details: { link: 'attached' } });
    expect(await stack.counts()).toEqual({ rows: 2, distinct: 2 });
  });
});
