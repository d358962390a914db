import { describe, expect, it } from 'vitest';
import { DeployTargetError, resolveDeployTarget } from './deploy-target.js';

function problemsOf(flags: { cluster?: string; database?: string }, env: NodeJS.ProcessEnv): string[] {
  try {
    resolveDeployTarget(flags, env);
  } catch (error) {
    if (error instanceof DeployTargetError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected resolveDeployTarget to fail');
}

describe('resolveDeployTarget', () => {
  it('should take the flags first and say so', () => {
    expect(
      resolveDeployTarget(
        { cluster: 'https://c.westeurope.kusto.windows.net', database: 'shop' },
        { KUSTO_CLUSTER_URL: 'https://other.westeurope.kusto.windows.net', KUSTO_DATABASE: 'other' },
      ),
    ).toEqual({
      cluster: 'https://c.westeurope.kusto.windows.net',
      database: 'shop',
      auth: 'auto',
      description:
        'cluster https://c.westeurope.kusto.windows.net (--cluster), database shop (--database), Entra ID (DefaultAzureCredential) (KUSTO_AUTH=auto)',
    });
  });

  it('should read KUSTO_CLUSTER_URL, KUSTO_DATABASE and KUSTO_AUTH when the flags are absent, and say so', () => {
    expect(
      resolveDeployTarget(
        { database: 'shop' },
        { KUSTO_CLUSTER_URL: 'http://kusto:8080', KUSTO_DATABASE: 'ignored', KUSTO_AUTH: 'none' },
      ),
    ).toEqual({
      cluster: 'http://kusto:8080',
      database: 'shop',
      auth: 'none',
      description:
        'cluster http://kusto:8080 (KUSTO_CLUSTER_URL), database shop (--database), no credentials (KUSTO_AUTH=none)',
    });
    expect(
      resolveDeployTarget({}, { KUSTO_CLUSTER_URL: 'http://127.0.0.1:8082', KUSTO_DATABASE: 'analytics' })
        .description,
    ).toBe(
      'cluster http://127.0.0.1:8082 (KUSTO_CLUSTER_URL), database analytics (KUSTO_DATABASE), no credentials (KUSTO_AUTH=auto)',
    );
  });

  it('should name both ways of giving each missing value, without falling back to the gateway default database', () => {
    expect(problemsOf({}, {})).toEqual([
      'no cluster: pass --cluster <url> or set KUSTO_CLUSTER_URL (e.g. https://mycluster.westeurope.kusto.windows.net)',
      'no database: pass --database <name> or set KUSTO_DATABASE',
    ]);
    expect(problemsOf({ cluster: 'http://127.0.0.1:8082' }, { KUSTO_DATABASE: '' })).toEqual([
      'no database: pass --database <name> or set KUSTO_DATABASE',
    ]);
  });

  it('should check the variables it reads as the gateway does, and not those a flag overrides', () => {
    expect(
      problemsOf(
        { database: 'shop' },
        { KUSTO_CLUSTER_URL: 'mycluster', KUSTO_AUTH: 'token', KUSTO_DATABASE: 'a;b' },
      ),
    ).toEqual([
      'KUSTO_CLUSTER_URL="mycluster": must be an http(s) URL such as https://mycluster.westeurope.kusto.windows.net',
      'KUSTO_AUTH="token": must be auto (Entra ID, except for a loopback address such as 127.0.0.1 or localhost), azure (Entra ID through DefaultAzureCredential) or none (no credentials, e.g. a Kustainer at http://kusto:8080)',
    ]);
  });
});
