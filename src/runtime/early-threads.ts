import { isPackageInstalled } from '../common/packages/optional-package.js';
import { spawnBackgroundThread, type SpawnedBackgroundThread } from './background-thread.js';
import { spawnKqlThread, type KqlThread } from './kql-thread.js';

/**
 * The Kusto.Language, engine and broker threads of `npm start`, spawned before the configuration is validated:
 * validating loads class-validator (a few hundred milliseconds), and meanwhile the threads load their modules and
 * the Kusto.Language thread pays its start-up — the longest step before the first event, so it goes first. Whether
 * each is needed is read from the raw environment here; the validated configuration decides, and a thread it does
 * not need is discarded. No thread is spawned for a package that is not installed (a production install): start-up
 * then stops with a line saying so, or does not need it.
 */
export interface EarlyThreads {
  kql?: KqlThread;
  kusto?: SpawnedBackgroundThread;
  servicebus?: SpawnedBackgroundThread;
}

export function spawnEmbeddedThreadsEarly(env: NodeJS.ProcessEnv): EarlyThreads {
  const kusto = !env.KUSTO_CLUSTER_URL && isPackageInstalled('@kqlgate/kusto-emulator');
  const servicebus =
    !env.SERVICEBUS_CONNECTION_STRING &&
    !env.SERVICEBUS_NAMESPACE &&
    isPackageInstalled('@kqlgate/servicebus-emulator');
  return {
    kql: kusto ? spawnKqlThread() : undefined,
    kusto: kusto ? spawnBackgroundThread('kusto') : undefined,
    servicebus: servicebus ? spawnBackgroundThread('servicebus') : undefined,
  };
}

/** Stops every early thread (a configuration error, or the validated configuration needs none of them). */
export async function discardEarlyThreads(threads: EarlyThreads): Promise<void> {
  await Promise.all([threads.kusto?.discard(), threads.servicebus?.discard()]);
  // After the engine's thread, which may be connected to it.
  await threads.kql?.close();
}
