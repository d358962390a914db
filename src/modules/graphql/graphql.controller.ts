import { Controller, Get, Inject, Optional, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientDisconnectSignal } from '../query/client-disconnect.js';
import { describeError } from '../query/error-status.js';
import { ANONYMOUS_CHALLENGE, refusalHeaders } from '../query/refusal-headers.js';
import { rateLimitHeaders } from '../rate-limit/rate-limit-error.js';
import {
  AnonymousRequestAuthenticator,
  REQUEST_AUTHENTICATOR,
  type RequestAuthenticator,
} from '../query/query-hooks.js';
import { GraphqlServerService } from './graphql-server.service.js';

/**
 * `POST /graphql` (and `GET /graphql?query=…`): identify the caller, hand the request to Apollo, and set the
 * headers from what came back: Apollo's, `RateLimit-*` of the fields' calls, and the challenge of a 401.
 */
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
    const requestId = String(request.id);
    let principal;
    try {
      principal = await this.authenticator.authenticate(request.headers, request.ip, requestId);
    } catch (error) {
      const body = describeError(error);
      await reply
        .status(body.status)
        .headers(refusalHeaders(error, body.status))
        .header('content-type', 'application/json; charset=utf-8')
        .send({
          errors: [
            { message: body.message, extensions: { ...body.details, code: body.code, status: body.status } },
          ],
        });
      return;
    }
    const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const { response, rateLimit } = await this.graphql.execute(
      { method: request.method, headers: request.headers, search, body: request.body },
      principal,
      { requestId, signal: clientDisconnectSignal(reply.raw) },
    );
    for (const [name, value] of response.headers) {
      void reply.header(name, value);
    }
    if (rateLimit) {
      reply.headers(rateLimitHeaders(rateLimit));
    }
    const status = response.status ?? 200;
    // A 401 from Apollo (introspection refused to an anonymous caller) says which credentials would do.
    if (status === 401 && !response.headers.has('www-authenticate')) {
      reply.header('WWW-Authenticate', ANONYMOUS_CHALLENGE);
    }
    reply.status(status);
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
