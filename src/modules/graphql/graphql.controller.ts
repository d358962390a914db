import { Controller, Get, Inject, Optional, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientDisconnectSignal } from '../query/client-disconnect.js';
import { describeError } from '../query/error-status.js';
import {
  AnonymousRequestAuthenticator,
  REQUEST_AUTHENTICATOR,
  type RequestAuthenticator,
} from '../query/query-hooks.js';
import { GraphqlServerService } from './graphql-server.service.js';

/** `POST /graphql` (and `GET /graphql?query=…`): identify the caller, hand the request to Apollo. */
@Controller('graphql')
export class GraphqlController {
  private readonly authenticator: RequestAuthenticator;

  constructor(
    private readonly graphql: GraphqlServerService,
    @Optional() @Inject(REQUEST_AUTHENTICATOR) authenticator?: RequestAuthenticator,
  ) {
    this.authenticator = authenticator ?? new AnonymousRequestAuthenticator();
  }

  @Post()
  async post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.handle(request, reply);
  }

  @Get()
  async get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.handle(request, reply);
  }

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    let principal;
    try {
      principal = await this.authenticator.authenticate(request.headers, request.ip);
    } catch (error) {
      const body = describeError(error);
      await reply
        .status(body.status)
        .header('content-type', 'application/json; charset=utf-8')
        .send({
          errors: [
            { message: body.message, extensions: { ...body.details, code: body.code, status: body.status } },
          ],
        });
      return;
    }
    const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const response = await this.graphql.execute(
      { method: request.method, headers: request.headers, search, body: request.body },
      principal,
      clientDisconnectSignal(reply.raw),
    );
    for (const [name, value] of response.headers) {
      void reply.header(name, value);
    }
    reply.status(response.status ?? 200);
    if (response.body.kind === 'complete') {
      await reply.send(response.body.string);
      return;
    }
    let text = '';
    for await (const chunk of response.body.asyncIterator) {
      text += chunk;
    }
    await reply.send(text);
  }
}
