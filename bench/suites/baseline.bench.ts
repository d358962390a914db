/**
 * Baseline: the gateway's `/health/live` against a bare Fastify route answering the same JSON, both driven by
 * autocannon in the same run. The ratio shows what NestJS, logging and metrics hooks cost per request.
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import type { BenchContext, BenchRow, BenchSuite } from '../bench-types.js';
import { startBenchInstance } from '../bench-instance.js';

const DURATION_S = 5;
const CONNECTIONS = 10;

async function load(url: string): Promise<autocannon.Result> {
  // A short warm-up so JIT and connection set-up do not count.
  await autocannon({ url, connections: CONNECTIONS, duration: 1 });
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
}

async function bareFastify(): Promise<{ url: string; close: () => Promise<void> }> {
  const fastify = Fastify({ logger: false });
  const body = { status: 'ok', info: {}, error: {}, details: {} };
  fastify.get('/health/live', () => body);
  const url = await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { url: `${url}/health/live`, close: () => fastify.close() };
}

async function gateway(): Promise<{ url: string; close: () => Promise<void> }> {
  const instance = await startBenchInstance();
  return { url: `${instance.url}/health/live`, close: () => instance.stop() };
}

export const suite: BenchSuite = {
  name: 'baseline',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    ctx.log(`bare Fastify, ${CONNECTIONS} connections, ${DURATION_S}s`);
    const bare = await bareFastify();
    const bareResult = await load(bare.url);
    await bare.close();

    ctx.log(`gateway /health/live, ${CONNECTIONS} connections, ${DURATION_S}s`);
    const app = await gateway();
    const appResult = await load(app.url);
    await app.close();

    const errors = bareResult.errors + bareResult.non2xx + appResult.errors + appResult.non2xx;
    const note = errors > 0 ? `${errors} errors/non-2xx responses` : undefined;
    return [
      {
        benchmark: 'bare fastify /health/live',
        metric: 'throughput',
        value: bareResult.requests.average,
        unit: 'req/s',
      },
      {
        benchmark: 'bare fastify /health/live',
        metric: 'latency p99',
        value: bareResult.latency.p99,
        unit: 'ms',
      },
      {
        benchmark: 'gateway /health/live',
        metric: 'throughput',
        value: appResult.requests.average,
        unit: 'req/s',
        baseline: bareResult.requests.average,
        ratio: appResult.requests.average / bareResult.requests.average,
        note,
      },
      {
        benchmark: 'gateway /health/live',
        metric: 'latency p99',
        value: appResult.latency.p99,
        unit: 'ms',
        baseline: bareResult.latency.p99,
        ratio: appResult.latency.p99 / Math.max(bareResult.latency.p99, 1e-9),
        note,
      },
    ];
  },
};
