import { createServer, type Server } from 'node:http';
import {
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { EnvConfig } from '../../config/env.dto.js';
import { createLogger } from '../logging/logger.js';
import { MetricsAccess, PROMETHEUS_CONTENT_TYPE, type MetricsAnswer } from './metrics-access.js';
import { metricsRegistry } from './metrics.registry.js';

/**
 * `GET /metrics` (Prometheus text). Where it is served:
 * - `METRICS_PORT` unset: on the gateway's own port, as a plain Fastify route;
 * - `METRICS_PORT` set: only on a listener of its own on `METRICS_HOST:METRICS_PORT` (127.0.0.1 by default, like
 *   everything embedded) — the gateway's port answers 404 — so that the public port carries no operational data.
 * `METRICS_TOKEN` set: every scrape needs `Authorization: Bearer <token>`, on whichever listener. Without either in
 * production (a real cluster), a warning at start says that anyone reaching the gateway can read the metrics.
 */
@Injectable()
export class MetricsEndpoint implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger('metrics');
  private readonly access: MetricsAccess;
  private server?: Server;

  constructor(
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() private readonly config?: EnvConfig,
  ) {
    this.access = new MetricsAccess(config?.METRICS_TOKEN);
  }

  onModuleInit(): void {
    if (this.config?.METRICS_PORT !== undefined) {
      return;
    }
    const fastify = this.adapterHost?.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.get('/metrics', async (request, reply) => {
      const answer = await this.scrape(request.headers.authorization);
      return reply.status(answer.status).headers(answer.headers).send(answer.body);
    });
    if (this.config && !this.config.kustoEmbedded && !this.access.protected) {
      this.logger.warn(
        'GET /metrics is served on the gateway port without a token: set METRICS_PORT (a listener of its own, 127.0.0.1 by default) or METRICS_TOKEN',
      );
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config?.METRICS_PORT;
    if (port === undefined) {
      return;
    }
    const host = this.config?.METRICS_HOST ?? '127.0.0.1';
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      const answered =
        path !== '/metrics'
          ? Promise.resolve(notFound())
          : request.method !== 'GET' && request.method !== 'HEAD'
            ? Promise.resolve(methodNotAllowed())
            : this.scrape(request.headers.authorization);
      void answered.then((answer) => {
        response.writeHead(answer.status, answer.headers);
        response.end(request.method === 'HEAD' ? undefined : answer.body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new Error(
            `cannot serve /metrics on ${host}:${port} (METRICS_PORT): ${error.code ?? error.message}`,
            {
              cause: error,
            },
          ),
        ),
      );
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.logger.info({ url: this.url }, `metrics on ${this.url}`);
  }

  /** The metrics listener's URL (with the port it bound), when METRICS_PORT is set. */
  get url(): string | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object'
      ? `http://${this.config?.METRICS_HOST ?? '127.0.0.1'}:${address.port}/metrics`
      : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) {
      return;
    }
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async scrape(authorization: string | string[] | undefined): Promise<MetricsAnswer> {
    if (!this.access.allows(authorization)) {
      return this.access.refusal();
    }
    return {
      status: 200,
      headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' },
      body: await metricsRegistry().metrics(),
    };
  }
}

function notFound(): MetricsAnswer {
  return {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: 'this port serves GET /metrics only\n',
  };
}

function methodNotAllowed(): MetricsAnswer {
  return {
    status: 405,
    headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' },
    body: 'GET /metrics only\n',
  };
}
