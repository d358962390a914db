/**
 * autocannon in its own process, so the load generator never shares an event loop (or its CPU time slices) with
 * the server it measures. `runLoad()` forks this file, sends the options over IPC and gets the summary back.
 */
import { fork } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  /**
   * autocannon's `overallRate`: each connection sends its share of the per-second quota as fast as it can at the
   * start of every second, then waits — bursts at full speed, not a steady rate.
   */
  overallRate?: number;
  /**
   * A steady open-loop rate instead of autocannon: request i is sent at start + i / pacedRate whatever the answers
   * before it, so a slow server cannot slow the sending down and hide its backlog. Latency counts from the send,
   * which includes any wait for one of the `connections` sockets; the generator's own timer lateness (Node timers
   * tick at best every millisecond) is not the server's and is left out.
   */
  pacedRate?: number;
  /** Seconds of unmeasured load first (JIT, caches, keep-alive sockets). */
  warmupSeconds?: number;
  /**
   * autocannon only: a sequence of requests each connection cycles through (e.g. alternating credentials); each
   * entry's headers replace `headers`.
   */
  requests?: { headers?: Record<string, string> }[];
}

export interface LoadSummary {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Requests answered in the measured window. */
  requests: number;
  /** Requests answered during the warm-up, before the measured window. */
  warmupRequests: number;
  errors: number;
  non2xx: number;
  /** autocannon only: answers by HTTP status in the measured window, e.g. `{ "401": 12, "429": 51000 }`. */
  statusCounts?: Record<string, number>;
}

async function generate(options: LoadOptions): Promise<LoadSummary> {
  if (options.pacedRate) {
    if (options.warmupSeconds) {
      await paced(options, options.pacedRate, options.warmupSeconds);
    }
    return paced(options, options.pacedRate, options.durationSeconds);
  }
  const base = {
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    ...(options.requests ? { requests: options.requests } : {}),
  };
  const warmup = options.warmupSeconds
    ? await autocannon({ ...base, duration: options.warmupSeconds })
    : undefined;
  const result = await autocannon({ ...base, duration: options.durationSeconds });
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    warmupRequests: warmup?.requests.total ?? 0,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statusCounts: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats?.count ?? 0]),
    ),
  };
}

/** One request on a keep-alive socket; resolves the status once the whole body has arrived. */
function send(options: LoadOptions, agent: Agent): Promise<number> {
  return new Promise((resolveStatus) => {
    const outgoing = httpRequest(
      options.url,
      { method: options.method ?? 'GET', headers: options.headers, agent },
      (response) => {
        response.on('data', () => undefined);
        response.on('end', () => resolveStatus(response.statusCode ?? 0));
        response.on('error', () => resolveStatus(0));
      },
    );
    outgoing.on('error', () => resolveStatus(0));
    outgoing.end(options.body);
  });
}

async function paced(options: LoadOptions, rate: number, seconds: number): Promise<LoadSummary> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  let issued = 0;
  while (issued < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - started) * rate) / 1000) + 1);
    for (; issued < due; issued += 1) {
      const sentAt = performance.now();
      inFlight.push(
        send(options, agent).then((status) => {
          latencies.push(performance.now() - sentAt);
          if (status === 0) {
            errors += 1;
          } else if (status < 200 || status >= 300) {
            non2xx += 1;
          }
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    requestsPerSecond: latencies.length / elapsedS,
    latencyP50Ms: at(0.5),
    latencyP99Ms: at(0.99),
    requests: latencies.length,
    warmupRequests: 0,
    errors,
    non2xx,
  };
}

/** Runs one load in a fresh child process and resolves its summary. */
export function runLoad(options: LoadOptions): Promise<LoadSummary> {
  return new Promise((resolveLoad, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let summary: LoadSummary | undefined;
    child.once('message', (message: { summary?: LoadSummary; error?: string }) => {
      if (message.error) {
        reject(new Error(`load generator failed against ${options.url}: ${message.error}`));
      }
      summary = message.summary;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (summary) {
        resolveLoad(summary);
      } else {
        reject(new Error(`load generator exited with code ${code} without a result (${options.url})`));
      }
    });
    child.send(options);
  });
}

// Child side: one load per process, then exit.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (options: LoadOptions) => {
    generate(options).then(
      (summary) => process.send!({ summary }, () => process.disconnect()),
      (error: unknown) =>
        process.send!({ error: error instanceof Error ? error.message : String(error) }, () =>
          process.disconnect(),
        ),
    );
  });
}
