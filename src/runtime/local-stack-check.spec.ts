import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { missingLocalStackLine } from './local-stack-check.js';

const AZURE = {
  KUSTO_CLUSTER_URL: 'https://mycluster.westeurope.kusto.windows.net',
  SERVICEBUS_CONNECTION_STRING:
    'Endpoint=sb://myns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v',
};
const nothingInstalled = (): boolean => false;
const everythingInstalled = (): boolean => true;

describe('missingLocalStackLine', () => {
  it('should name every package the configuration needs, with the setting instead, when none is installed', () => {
    expect(missingLocalStackLine(loadConfig({}), nothingInstalled)).toBe(
      'the local stack is needed but not installed: @kqlgate/kusto-emulator (or set KUSTO_CLUSTER_URL for Azure ' +
        'Data Explorer), @kqlgate/servicebus-emulator (or set SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE ' +
        'for Azure Service Bus), @kqlgate/demo-shop (or set DEMO_RATE=0 for no demo traffic); npm install ' +
        '@kqlgate/kusto-emulator @kqlgate/servicebus-emulator @kqlgate/demo-shop installs it (in a clone of ' +
        'kqlgate: npm ci)',
    );
  });

  it('should need nothing with Azure settings and the demo off', () => {
    expect(missingLocalStackLine(loadConfig({ ...AZURE, DEMO_RATE: '0' }), nothingInstalled)).toBeUndefined();
  });

  it('should name the demo alone when Azure is configured and DEMO_RATE is not 0', () => {
    expect(missingLocalStackLine(loadConfig(AZURE), nothingInstalled)).toBe(
      'the local stack is needed but not installed: @kqlgate/demo-shop (or set DEMO_RATE=0 for no demo traffic); ' +
        'npm install @kqlgate/demo-shop installs it (in a clone of kqlgate: npm ci)',
    );
  });

  it('should name only what is missing of what is needed', () => {
    const installed = (name: string): boolean => name !== '@kqlgate/servicebus-emulator';
    expect(missingLocalStackLine(loadConfig({ DEMO_RATE: '0' }), installed)).toBe(
      'the local stack is needed but not installed: @kqlgate/servicebus-emulator (or set ' +
        'SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE for Azure Service Bus); npm install ' +
        '@kqlgate/servicebus-emulator installs it (in a clone of kqlgate: npm ci)',
    );
    expect(missingLocalStackLine(loadConfig({}), everythingInstalled)).toBeUndefined();
  });
});
