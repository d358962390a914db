import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, packageRoot } from '../utils/ensure-built.js';
import { freePort } from '../utils/free-port.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';
import { startTestBroker, TEST_CONFIG, type TestBroker } from './servicebus-test-broker.js';

async function receiveAll(
  client: ServiceBusClient,
  queue: string,
  subscription?: string,
): Promise<ServiceBusReceivedMessage[]> {
  const receiver = subscription
    ? client.createReceiver(queue, subscription, { receiveMode: 'receiveAndDelete' })
    : client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
  const all: ServiceBusReceivedMessage[] = [];
  for (;;) {
    const batch = await receiver.receiveMessages(200, { maxWaitTimeInMs: 500 });
    if (batch.length === 0) {
      break;
    }
    all.push(...batch);
  }
  await receiver.close();
  return all;
}

describe('ServiceBusBroker durability', () => {
  describe('graceful restart', () => {
    let dataDir: string;
    let broker: TestBroker | undefined;

    beforeAll(async () => {
      dataDir = await tempDir('servicebus-restart');
    });

    afterAll(async () => {
      await broker?.stop();
      await removeDir(dataDir);
    });

    it('should keep messages, delivery counts, deferred, scheduled, dead letters and session state', async () => {
      broker = await startTestBroker({ dataDir });
      const sender = broker.client.createSender('oltp-events');
      await sender.sendMessages(Array.from({ length: 20 }, (_, i) => ({ body: { i }, messageId: `g-${i}` })));
      const [scheduledSeq] = await sender.scheduleMessages(
        { body: 'future', messageId: 'g-future' },
        new Date(Date.now() + 3_600_000),
      );
      await sender.close();

      const receiver = broker.client.createReceiver('oltp-events', 'analytics');
      const received = await receiver.receiveMessages(8, { maxWaitTimeInMs: 3000 });
      expect(received).toHaveLength(8);
      for (const m of received.slice(0, 5)) {
        await receiver.completeMessage(m);
      }
      await receiver.abandonMessage(received[5]);
      await receiver.deferMessage(received[6]);
      await receiver.deadLetterMessage(received[7], {
        deadLetterReason: 'Bad',
        deadLetterErrorDescription: 'bad one',
      });
      await receiver.close();

      const sessionSender = broker.client.createSender('sessions');
      await sessionSender.sendMessages({ body: 'in-session', sessionId: 'S1' });
      await sessionSender.close();
      const session = await broker.client.acceptSession('sessions', 'S1');
      await session.setSessionState(Buffer.from('state-1'));
      await session.close();
      await broker.stop();

      broker = await startTestBroker({ dataDir });
      const analytics = broker.client.createReceiver('oltp-events', 'analytics');
      const peeked = await analytics.peekMessages(100);
      // 20 sent − 5 completed − 1 dead-lettered = 14 (13 active incl. the abandoned one, 1 deferred).
      expect(peeked).toHaveLength(14);
      expect(peeked.find((m) => m.messageId === received[5].messageId)?.deliveryCount).toBe(1);
      expect(peeked.find((m) => m.messageId === received[6].messageId)?.state).toBe('deferred');
      const [deferred] = await analytics.receiveDeferredMessages(received[6].sequenceNumber as never);
      expect(deferred.messageId).toBe(received[6].messageId);
      await analytics.completeMessage(deferred);
      await analytics.close();

      const dead = await receiveAll(broker.client, 'oltp-events/Subscriptions/analytics/$DeadLetterQueue');
      expect(dead.map((m) => [m.messageId, m.deadLetterReason, m.deadLetterErrorDescription])).toEqual([
        [received[7].messageId, 'Bad', 'bad one'],
      ]);

      const operational = broker.client.createReceiver('oltp-events', 'operational');
      expect(await operational.peekMessages(100)).toHaveLength(20);
      await operational.close();

      const topicSender = broker.client.createSender('oltp-events');
      await topicSender.cancelScheduledMessages(scheduledSeq);
      await topicSender.sendMessages({ body: 'after-restart', messageId: 'g-after' });
      await topicSender.close();
      const all = await receiveAll(broker.client, 'oltp-events', 'operational');
      expect(all).toHaveLength(21);
      const last = all[all.length - 1];
      expect(last.messageId).toBe('g-after');
      // Sequence numbers continue after a restart, they do not start again at 1.
      expect(Number(last.sequenceNumber)).toBeGreaterThan(20);

      const again = await broker.client.acceptSession('sessions', 'S1');
      expect(Buffer.from((await again.getSessionState()) as Uint8Array).toString()).toBe('state-1');
      await again.close();
    });
  });

  describe('restart of stored values SQLite hands back in another shape', () => {
    let dataDir: string;
    let broker: TestBroker | undefined;
    // A million years: the config accepts it, and a duplicate record's expiry (a message's too, when the sender sets
    // no TTL) is stored beyond 2^53, where node:sqlite refuses to read an integer as a number.
    const forever = 'P1000000Y';
    const config = {
      UserConfig: {
        Namespaces: [
          {
            Name: 'sbemulatorns',
            Queues: [
              {
                Name: 'forever',
                Properties: {
                  DefaultMessageTimeToLive: forever,
                  RequiresDuplicateDetection: true,
                  DuplicateDetectionHistoryTimeWindow: forever,
                  MaxDeliveryCount: 10,
                },
              },
            ],
          },
        ],
      },
    };

    beforeAll(async () => {
      dataDir = await tempDir('servicebus-restart-values');
    });

    afterAll(async () => {
      await broker?.stop();
      await removeDir(dataDir);
    });

    it('should keep duplicate detection, and deliver, abandon and dead-letter a reloaded message', async () => {
      broker = await startTestBroker({ dataDir, config });
      const sender = broker.client.createSender('forever');
      const message = {
        body: { n: 1 },
        messageId: 'f-1',
        subject: 'order',
        correlationId: 'c-1',
        applicationProperties: { region: 'eu', amount: 7 },
      };
      await sender.sendMessages(message);
      await sender.close();
      await broker.stop();

      broker = await startTestBroker({ dataDir, config });
      // The duplicate record came back too: the same MessageId is dropped.
      const again = broker.client.createSender('forever');
      await again.sendMessages({ ...message, body: { n: 2 } });
      await again.close();
      const receiver = broker.client.createReceiver('forever');
      expect(await receiver.peekMessages(10)).toHaveLength(1);
      const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
      expect([first.body, first.subject, first.correlationId]).toEqual([{ n: 1 }, 'order', 'c-1']);
      expect(first.applicationProperties).toEqual({ region: 'eu', amount: 7 });
      await receiver.abandonMessage(first);

      const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
      expect(second.deliveryCount).toBe(1);
      expect(second.applicationProperties).toEqual({ region: 'eu', amount: 7 });
      await receiver.deadLetterMessage(second, {
        deadLetterReason: 'Bad',
        deadLetterErrorDescription: 'bad one',
      });
      await receiver.close();

      const [dead] = await receiveAll(broker.client, 'forever/$DeadLetterQueue');
      expect([dead.messageId, dead.body, dead.deadLetterReason]).toEqual(['f-1', { n: 1 }, 'Bad']);
    });
  });

  describe('SIGKILL', () => {
    let dataDir: string;
    let configFile: string;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      await ensureBuilt();
      dataDir = await tempDir('servicebus-kill');
      configFile = join(dataDir, 'config.json');
      await writeFile(configFile, JSON.stringify(TEST_CONFIG));
    });

    afterAll(async () => {
      child?.kill('SIGKILL');
      await removeDir(dataDir);
    });

    async function startChild(port: number): Promise<ChildProcess> {
      const proc = spawn(
        process.execPath,
        // The package's own command, as `npx servicebus-emulator` runs it; ensureBuilt() has built its dist/.
        [
          join(packageRoot, 'bin', 'servicebus-emulator.js'),
          '--port',
          String(port),
          '--data-dir',
          join(dataDir, 'store'),
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
        proc.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes(`servicebus emulator listening on 127.0.0.1:${port}`)) {
            clearTimeout(timer);
            resolve();
          }
        });
        proc.stderr?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        proc.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`broker exited with ${code}:\n${output}`));
        });
      });
      proc.removeAllListeners('exit');
      return proc;
    }

    it('should lose no acknowledged message and resurrect no completed one after kill -9', async () => {
      const port = await freePort();
      child = await startChild(port);
      const connectionString = `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true`;
      let client = new ServiceBusClient(connectionString);
      const total = 500;
      const sender = client.createSender('orders');
      for (let start = 0; start < total; start += 100) {
        await sender.sendMessages(
          Array.from({ length: 100 }, (_, i) => ({ body: { n: start + i }, messageId: `k-${start + i}` })),
        );
      }
      const receiver = client.createReceiver('orders');
      const completed = new Set<string>();
      while (completed.size < 150) {
        for (const message of await receiver.receiveMessages(50, { maxWaitTimeInMs: 2000 })) {
          await receiver.completeMessage(message);
          completed.add(String(message.messageId));
        }
      }
      // Locked but never settled when the broker dies: they must come back.
      const inFlight = await receiver.receiveMessages(30, { maxWaitTimeInMs: 2000 });
      expect(inFlight.length).toBeGreaterThan(0);

      child.kill('SIGKILL');
      await new Promise((resolve) => child?.once('exit', resolve));
      await client.close().catch(() => undefined);

      child = await startChild(port);
      client = new ServiceBusClient(connectionString);
      const remaining = await receiveAll(client, 'orders');
      await client.close();

      const remainingIds = remaining.map((m) => String(m.messageId));
      expect(new Set(remainingIds).size).toBe(remainingIds.length);
      expect(remainingIds.filter((id) => completed.has(id))).toEqual([]);
      expect(remainingIds.length + completed.size).toBe(total);
      for (const message of inFlight) {
        expect(remainingIds).toContain(String(message.messageId));
      }

      const stopped = new Promise<number | null>((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await stopped).toBe(0);
      child = undefined;
    });
  });
});
