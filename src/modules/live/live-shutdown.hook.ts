import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { WebSocketServer } from 'ws';
import { CONNECTION_CLOSE_CODES } from './graphql-ws.sink.js';
import { LiveCloseCode } from './live-close.js';
import { LiveResultsService } from './live-results.service.js';

/**
 * The one shutdown step of live results, on the HTTP server's `preClose` (whoever closes the server first: the
 * app's shutdown, or the GraphQL driver's drain while its module is destroyed). A live stream never ends on its
 * own, and the server waits for its connections, so before that wait every subscription ends with SHUTTING_DOWN
 * (SSE streams and graphql-ws subscriptions alike, through LiveResultsService) and every WebSocket of a
 * registered server closes with 1012 SHUTTING_DOWN, those that hold no subscription included.
 */
@Injectable()
export class LiveShutdownHook implements OnModuleInit {
  private readonly socketServers = new Set<WebSocketServer>();

  constructor(
    private readonly live: LiveResultsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Registers a WebSocket server (graphql-ws) whose connections end in this step. */
  closeWithLiveResults(server: WebSocketServer): void {
    this.socketServers.add(server);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('preClose', (done) => {
      this.endAll();
      done();
    });
  }

  private endAll(): void {
    this.live.endAllForShutdown();
    const code = CONNECTION_CLOSE_CODES[LiveCloseCode.ShuttingDown];
    for (const server of this.socketServers) {
      for (const client of server.clients) {
        client.close(code, LiveCloseCode.ShuttingDown);
      }
    }
  }
}
