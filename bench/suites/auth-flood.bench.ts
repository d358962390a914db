/**
 * Wrong-API-key flood: does an anonymous caller sending wrong keys for key ids that exist slow down a legitimate
 * caller? Goal: an uncached query answers within 3× its unloaded latency during a 30 s flood of 64 connections.
 *
 * - The gateway is the real app (`node dist/src/main.js`, LOG_LEVEL=info to a file) in a child process, with an
 *   API_KEYS_FILE holding one key in the current format (`sha256$`) and one in the earlier scrypt format — a wrong
 *   secret for the scrypt id costs a full scrypt (≈ 50 ms of the libuv thread pool the engine shares) unless
 *   something stops it first. Failed-authentication limits at their defaults.
 * - The flood: autocannon in its own process, 64 keep-alive connections from 127.0.0.1, each cycling through 256
 *   distinct wrong keys, half for the sha256 id and half for the scrypt id, as fast as the gateway answers, 30 s.
 * - The legitimate caller: one request at a time from another client address (127.0.0.2) with a dev JWT, to a
 *   function with `cache=0` and a new parameter value each call, so every call runs on the engine. Its latency is
 *   measured alone first, then throughout the flood (one call every 100 ms).
 * - In-process: what one refused key costs the store for an unknown id and for a wrong secret of an existing id
 *   (sha256 and scrypt entries), with no limiter in front, calls of both kinds interleaved: equal medians for the
 *   first two mean the answer time tells nothing about which ids exist.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, hashApiKey, legacyScryptApiKeyHash } from '../../src/modules/auth/api-key-hasher.js';
import { ApiKeyStore } from '../../src/modules/auth/api-key.store.js';
import { seedBenchApp } from '../bench-app-seed.js';
import type { BenchContext, BenchRow, BenchSuite } from '../bench-types.js';
import { startKqlgateProcess } from '../kqlgate-process.js';
import { runLoad, type LoadSummary } from '../load-generator.js';
import { repoKqlDir } from '../repo-kql-dir.js';

const FLOOD_SECONDS = 30;
const FLOOD_CONNECTIONS = 64;
const FLOOD_DISTINCT_KEYS = 256;
const UNLOADED_SAMPLES = 40;
const PROBE_GAP_MS = 100;
const SEED_ROWS = 5_000;
const LEGIT_ADDRESS = '127.0.0.2';

const BENCH_FUNCTION = `// Bench: an uncached aggregate over the caller's orders.
// @expose roles=analyst cache=0 cost=1
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Benchmark: order count and revenue above an amount', folder = 'bench')
BenchOrderTotals(tenantId: string, minAmount: real = 0.0) {
    Orders
    | where TenantId == tenantId and TotalAmount >= minAmount
    | summarize Orders = count(), Revenue = sum(TotalAmount) by Channel
    | order by Channel asc
}
`;

/** Orders rows for tenants A and B (all 15 columns of kql/tables/orders.kql), as inline CSV. */
function seedOrders(): string {
  return Array.from({ length: SEED_ROWS }, (_, i) =>
    [
      i % 2 === 0 ? 'A' : 'B',
      `o-${i}`,
      `c-${i % 400}`,
      `a-${i % 90}`,
      'placed',
      ['web', 'app', 'store'][i % 3],
      'EUR',
      ((i * 7.31) % 500).toFixed(2),
      String(1 + (i % 4)),
      'DE',
      '',
      '',
      '',
      new Date(Date.UTC(2026, 0, 1, 0, i % 1440)).toISOString(),
      `m-${i}`,
    ].join(','),
  ).join('\n');
}

interface Answer {
  status: number;
  ms: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One GET from `localAddress` (a fresh connection each time: the flood must not share a socket with it). */
function timedGet(url: string, headers: Record<string, string>, localAddress: string): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers, localAddress, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          ms: performance.now() - started,
          headers: response.headers,
          body,
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/**
 * Median microseconds of one refused `authenticate` of the store for each kind of key. The kinds take turns call
 * by call (unknown, wrong secret, unknown, …), so JIT warm-up, collections and the machine's drift hit each alike.
 */
async function refusalMicros(
  store: ApiKeyStore,
  ids: Record<string, string>,
  calls: number,
): Promise<Record<string, number>> {
  const kinds = Object.keys(ids);
  const keys = Array.from({ length: calls * kinds.length }, (_, i) =>
    generateApiKey(ids[kinds[i % kinds.length]]),
  );
  const samples: Record<string, number[]> = Object.fromEntries(kinds.map((kind) => [kind, []]));
  for (const [i, key] of keys.entries()) {
    const started = performance.now();
    await store.authenticate(key).then(
      () => {
        throw new Error('auth-flood bench: a random key was accepted');
      },
      () => undefined,
    );
    samples[kinds[i % kinds.length]].push((performance.now() - started) * 1000);
  }
  return Object.fromEntries(kinds.map((kind) => [kind, percentile(samples[kind], 0.5)]));
}

export const suite: BenchSuite = {
  name: 'auth-flood',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const scratch = await mkdtemp(join(tmpdir(), 'kqlgate-bench-auth-flood-'));
    const kqlDir = join(scratch, 'kql');
    await cp(repoKqlDir(), kqlDir, { recursive: true });
    await writeFile(join(kqlDir, 'functions', 'BenchOrderTotals.kql'), BENCH_FUNCTION);
    const currentKey = generateApiKey('partner-current');
    const legacyKey = generateApiKey('partner-legacy');
    const keysFile = join(scratch, 'api-keys.yaml');
    await writeFile(
      keysFile,
      [
        'keys:',
        `  - { id: partner-current, hash: "${hashApiKey(currentKey)}", roles: [analyst], claims: { tid: A } }`,
        `  - { id: partner-legacy, hash: "${await legacyScryptApiKeyHash(legacyKey)}", roles: [analyst], claims: { tid: A } }`,
        '',
      ].join('\n'),
    );

    ctx.log('starting the app with an API_KEYS_FILE of one sha256 and one scrypt key');
    const app = await startKqlgateProcess({
      env: { KQL_DIR: kqlDir, LOG_LEVEL: 'info', API_KEYS_FILE: keysFile, RATE_LIMIT_POINTS: '1000000000' },
    });
    try {
      const token = await seedBenchApp(app, seedOrders(), 'bench-legit');
      let nextAmount = 0;
      // Throws when `mustSucceed` (the unloaded baseline); during the flood a failed call (the old code's 504 after
      // the engine timeout) is counted, and its time — what the caller waited — kept.
      const failures: string[] = [];
      const legitCall = async (mustSucceed: boolean): Promise<number> => {
        nextAmount += 1;
        const answer = await timedGet(
          `${app.url}/api/v1/functions/BenchOrderTotals?minAmount=${nextAmount / 1000}`,
          { authorization: `Bearer ${token}` },
          LEGIT_ADDRESS,
        );
        if (answer.status !== 200 || answer.body.includes('"cache":"hit"')) {
          const failure = `${answer.status} after ${Math.round(answer.ms)} ms: ${answer.body.slice(0, 300)}`;
          if (mustSucceed) {
            throw new Error(`auth-flood bench: legitimate call answered ${failure}`);
          }
          failures.push(failure);
        }
        return answer.ms;
      };

      ctx.log(`legitimate uncached call alone: ${UNLOADED_SAMPLES} calls one at a time`);
      for (let i = 0; i < 10; i += 1) {
        await legitCall(true);
      }
      const unloaded: number[] = [];
      for (let i = 0; i < UNLOADED_SAMPLES; i += 1) {
        unloaded.push(await legitCall(true));
        await new Promise((resolve) => setTimeout(resolve, PROBE_GAP_MS));
      }

      ctx.log(`flood: ${FLOOD_CONNECTIONS} connections of wrong keys for both ids for ${FLOOD_SECONDS} s`);
      const floodUrl = `${app.url}/api/v1/functions/BenchOrderTotals`;
      const flooding = runLoad({
        url: floodUrl,
        connections: FLOOD_CONNECTIONS,
        durationSeconds: FLOOD_SECONDS,
        // Distinct wrong keys, so that joining a check already running for the same key does not hide the cost.
        requests: Array.from({ length: FLOOD_DISTINCT_KEYS }, (_, i) => ({
          headers: { 'x-api-key': generateApiKey(i % 2 === 0 ? 'partner-current' : 'partner-legacy') },
        })),
      });
      let floodDone = false;
      const flood: Promise<LoadSummary> = flooding.finally(() => {
        floodDone = true;
      });
      // The load generator needs a moment to fork and connect; measuring starts once the flood is on.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const loaded: number[] = [];
      while (!floodDone) {
        loaded.push(await legitCall(false));
        await new Promise((resolve) => setTimeout(resolve, PROBE_GAP_MS));
      }
      const floodResult = await flood;

      ctx.log('in-process: cost of one refused key by kind (no limiter)');
      const store = ApiKeyStore.fromEntries([
        { id: 'partner-current', hash: hashApiKey(currentKey), roles: [], scopes: [], claims: {} },
        {
          id: 'partner-legacy',
          hash: await legacyScryptApiKeyHash(legacyKey),
          roles: [],
          scopes: [],
          claims: {},
        },
      ]);
      const micros = await refusalMicros(
        store,
        { unknown: 'partner-unknown', current: 'partner-current' },
        20_000,
      );
      const legacyMicros = await refusalMicros(store, { legacy: 'partner-legacy' }, 5);
      const unknownMicros = micros.unknown;
      const wrongCurrentMicros = micros.current;
      const wrongLegacyMicros = legacyMicros.legacy;

      const unloadedP50 = percentile(unloaded, 0.5);
      const unloadedP90 = percentile(unloaded, 0.9);
      const loadedP50 = percentile(loaded, 0.5);
      const loadedP90 = percentile(loaded, 0.9);
      const statuses = Object.entries(floodResult.statusCounts ?? {})
        .map(([status, count]) => `${status}: ${count}`)
        .join(', ');
      return [
        {
          benchmark: 'uncached legitimate call, alone',
          metric: 'latency p50',
          value: unloadedP50,
          unit: 'ms',
          note: `${unloaded.length} calls; p90 ${unloadedP90.toFixed(1)} ms`,
        },
        {
          benchmark: 'uncached legitimate call, during the flood',
          metric: 'latency p50',
          value: loadedP50,
          unit: 'ms',
          baseline: unloadedP50,
          ratio: loadedP50 / unloadedP50,
          note: `${loaded.length} calls over the flood${failures.length > 0 ? `, ${failures.length} failed (${failures[0].slice(0, 40)}…)` : ''}; goal ≤ 3x`,
        },
        {
          benchmark: 'uncached legitimate call, during the flood',
          metric: 'latency p90',
          value: loadedP90,
          unit: 'ms',
          baseline: unloadedP90,
          ratio: loadedP90 / unloadedP90,
          note: `max ${Math.max(...loaded).toFixed(1)} ms`,
        },
        {
          benchmark: 'wrong-key flood',
          metric: 'throughput',
          value: floodResult.requestsPerSecond,
          unit: 'req/s',
          note: `${FLOOD_CONNECTIONS} connections, ${FLOOD_SECONDS} s; answers ${statuses}`,
        },
        {
          benchmark: 'refused key, in-process',
          metric: 'unknown id, median',
          value: unknownMicros,
          unit: 'µs',
        },
        {
          benchmark: 'refused key, in-process',
          metric: 'wrong secret, sha256 entry, median',
          value: wrongCurrentMicros,
          unit: 'µs',
          baseline: unknownMicros,
          ratio: wrongCurrentMicros / unknownMicros,
          note: 'about 1x: no timing oracle for key ids',
        },
        {
          benchmark: 'refused key, in-process',
          metric: 'wrong secret, scrypt entry, median',
          value: wrongLegacyMicros,
          unit: 'µs',
          baseline: unknownMicros,
          ratio: wrongLegacyMicros / unknownMicros,
          note: 'the earlier format: re-create such keys',
        },
      ];
    } finally {
      await app.stop();
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
