/**
 * Stopping the ingestion's receiver while the SDK's streaming subscribe has not got a link yet. The SDK retries
 * the link forever and sleeps 30 s (its default retryDelayInMs) after a failed attempt; neither the subscription's
 * close() nor the receiver's interrupts that sleep, so a Ctrl-C in `npm start`'s first seconds with the broker not
 * (yet) reachable waited for it and ran into the 30 s shutdown timeout. Real SDK, real embedded broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SubscriptionReceiver,
  type SubscriptionReceiverOptions,
} from '../../../src/ingestion/subscription-receiver.js';
import { embeddedServiceBusConnectionString } from '../../../src/config/env.dto.js';
import { startServiceBusEmulator, type RunningServiceBusEmulator } from '@kqlgate/servicebus-emulator';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { SUBSCRIPTION, TOPIC, brokerConfig } from './ingestion-stack.js';

/** Far below the SDK's 30 s retry delay, far above a close that does not wait for it. */
const STOP_BUDGET_MS = 5_000;

function receiverOptions(connectionString: string, subscription = SUBSCRIPTION): SubscriptionReceiverOptions {
  return {
    connectionString,
    topic: TOPIC,
    subscription,
    maxConcurrentCalls: 10,
    maxAutoLockRenewalDurationMs: 60_000,
  };
}

interface Subscribed {
  receiver: SubscriptionReceiver;
  /** Resolves with the first error the SDK reports: its first attempt is over and its retry sleep begins. */
  firstError: Promise<Error>;
  errors: Error[];
}

function subscribe(options: SubscriptionReceiverOptions): Subscribed {
  const receiver = new SubscriptionReceiver(options);
  const errors: Error[] = [];
  let reportFirst: (error: Error) => void = () => undefined;
  const firstError = new Promise<Error>((resolve) => (reportFirst = resolve));
  receiver.subscribe(
    () => Promise.resolve(),
    (error) => {
      errors.push(error);
      reportFirst(error);
    },
    () => undefined,
  );
  return { receiver, firstError, errors };
}

/** Runs `stop` and fails when it is still running after STOP_BUDGET_MS (rather than after the SDK's 30 s). */
async function stopsWithinBudget(stop: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    stop().then(() => 'stopped' as const),
    new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), STOP_BUDGET_MS))),
  ]);
  clearTimeout(timer);
  expect(outcome, `stop still waiting after ${STOP_BUDGET_MS} ms`).toBe('stopped');
}

describe(SubscriptionReceiver.name, () => {
  let broker: RunningServiceBusEmulator;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await tempDir('receiver-stop');
    broker = await startServiceBusEmulator({ port: 0, dataDir, config: brokerConfig() });
  });

  afterAll(async () => {
    await broker.close();
    await removeDir(dataDir);
  });

  it('should stop at once while the SDK waits to retry connecting to an unreachable broker', async () => {
    // A port nobody listens on: every connection attempt is refused (retryable), so the SDK sleeps and retries.
    const { receiver, firstError, errors } = subscribe(
      receiverOptions(embeddedServiceBusConnectionString(await freePort())),
    );
    expect((await firstError).message).toMatch(/ECONNREFUSED/);

    await stopsWithinBudget(async () => {
      await receiver.stopReceiving();
      await receiver.close();
    });
    // The stop's own abort is not an error to report (it would log a misleading receive error on every Ctrl-C).
    expect(errors.filter((e) => e.name === 'AbortError')).toEqual([]);
  });

  it('should stop at once, reporting no error of its own, when closed while its first link attaches', async () => {
    const { receiver, errors } = subscribe(receiverOptions(broker.connectionString));

    await stopsWithinBudget(() => receiver.close());
    expect(errors.filter((e) => e.name === 'AbortError')).toEqual([]);
  });
});
