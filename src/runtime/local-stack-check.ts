/**
 * Before anything starts: the parts of the local stack the configuration asks for must be installed (they are
 * optional dependencies, see optional-package.ts). If any is not, start-up stops with one line naming the packages
 * to install and the settings that make them unnecessary.
 */
import { isPackageInstalled } from '../common/packages/optional-package.js';
import type { EnvConfig } from '../config/env.dto.js';

interface Needed {
  packageName: string;
  /** The setting that makes it unnecessary, and what it then uses instead. */
  instead: string;
}

/** The local-stack packages this configuration would load: the engine and broker where no Azure service is set. */
function neededPackages(config: EnvConfig): Needed[] {
  const needed: Needed[] = [];
  if (config.KQLGATE_ROLE !== 'all') {
    // A process of one role runs no local stack (the configuration's validation requires the Azure services).
    return needed;
  }
  if (config.kustoEmbedded) {
    needed.push({
      packageName: '@kqlgate/kusto-emulator',
      instead: 'set KUSTO_CLUSTER_URL for Azure Data Explorer',
    });
  }
  if (config.serviceBusEmbedded) {
    needed.push({
      packageName: '@kqlgate/servicebus-emulator',
      instead: 'set SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE for Azure Service Bus',
    });
  }
  if (config.DEMO_RATE > 0 && config.serviceBusConnectionString !== undefined) {
    needed.push({ packageName: '@kqlgate/demo-shop', instead: 'set DEMO_RATE=0 for no demo traffic' });
  }
  return needed;
}

/**
 * The line that stops start-up when a needed package is not installed, or undefined when nothing is missing.
 * `installed` is injectable for tests; it defaults to resolving the package from the app.
 */
export function missingLocalStackLine(
  config: EnvConfig,
  installed: (packageName: string) => boolean = isPackageInstalled,
): string | undefined {
  const missing = neededPackages(config).filter((need) => !installed(need.packageName));
  if (missing.length === 0) {
    return undefined;
  }
  return (
    'the local stack is needed but not installed: ' +
    `${missing.map((need) => `${need.packageName} (or ${need.instead})`).join(', ')}; ` +
    `npm install ${missing.map((need) => need.packageName).join(' ')} installs it (in a clone of kqlgate: npm ci)`
  );
}
