import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../../config/load-config.js';
import { assertKeyId, generateApiKey, hashApiKey } from '../../modules/auth/api-key-hasher.js';
import { jwtModeFromConfig } from '../../modules/auth/auth-settings.js';
import { DevSigningKeyStore } from '../../modules/auth/dev-signing-key.store.js';

interface TokenOptions {
  sub: string;
  role: string[];
  scope: string[];
  claim: Record<string, string>;
  ttl: number;
  dataDir?: string;
  newApiKey?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function claimOption(value: string, previous: Record<string, string>): Record<string, string> {
  const separator = value.indexOf('=');
  if (separator <= 0) {
    throw new InvalidArgumentError(`"${value}" is not name=value (e.g. --claim tid=contoso)`);
  }
  return { ...previous, [value.slice(0, separator)]: value.slice(separator + 1) };
}

function secondsOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 31 * 24 * 3600) {
    throw new InvalidArgumentError(`"${value}" is not a number of seconds between 1 and 2678400`);
  }
  return Number(value);
}

/**
 * `kqlgate token`: in dev mode (embedded stack, no JWKS_URI) prints a JWT signed by the local dev key in
 * `DATA_DIR/dev-keys/` — the key the gateway verifies and serves at /.well-known/jwks.json. With
 * `--new-api-key <id>` (any mode) it prints a new partner API key once, and the entry with its SHA-256 hash
 * (`sha256$…`) to add to API_KEYS_FILE — or to replace an earlier scrypt entry with, which is how keys migrate.
 */
export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description(
      'print a dev-mode JWT signed by the local dev key, or create a partner API key (--new-api-key)',
    )
    .option('--sub <subject>', 'token subject (the caller id)', 'dev-user')
    .option('--role <role>', 'app role (repeatable)', collect, [])
    .option('--scope <scope>', 'delegated scope, put in "scp" (repeatable)', collect, [])
    .option(
      '--claim <name=value>',
      'extra claim, e.g. tid=<tenant> for claim-bound parameters (repeatable)',
      claimOption,
      {},
    )
    .option('--ttl <seconds>', 'lifetime of the token', secondsOption, 3600)
    .option('--data-dir <dir>', 'where the dev key lives (default: DATA_DIR, ./data)')
    .option('--new-api-key <id>', 'create an API key for partner <id> instead of a token')
    .action(async (options: TokenOptions) => {
      if (options.newApiKey !== undefined) {
        process.stdout.write(newApiKey(options));
        return;
      }
      const config = loadConfig(
        options.dataDir ? { ...process.env, DATA_DIR: options.dataDir } : process.env,
      );
      const mode = jwtModeFromConfig(config);
      if (mode.kind !== 'dev') {
        throw new Error(
          mode.kind === 'jwks'
            ? 'dev tokens are disabled because JWKS_URI is set: the gateway only accepts tokens from that issuer'
            : 'dev tokens exist only with the embedded stack: KUSTO_CLUSTER_URL is set, so get tokens from your identity provider (Entra ID)',
        );
      }
      const store = new DevSigningKeyStore(resolve(config.DATA_DIR));
      const token = await store.sign({
        subject: options.sub,
        roles: options.role,
        scopes: options.scope,
        claims: options.claim,
        issuer: mode.issuers[0],
        audience: mode.audiences[0],
        expiresInSeconds: options.ttl,
      });
      process.stdout.write(`${token}\n`);
    });
}

function newApiKey(options: TokenOptions): string {
  const id = options.newApiKey!;
  assertKeyId(id);
  const key = generateApiKey(id);
  const entry = {
    id,
    hash: hashApiKey(key),
    roles: options.role,
    ...(options.scope.length > 0 ? { scopes: options.scope } : {}),
    claims: options.claim,
  };
  return [
    `API key for ${id} (shown once; give it to the partner, who sends it as "X-API-Key: <key>"):`,
    `  ${key}`,
    '',
    'Add this entry under "keys:" in API_KEYS_FILE:',
    toYaml([entry], { flow: false }).trimEnd().replace(/^/gm, '  '),
    '',
  ].join('\n');
}
