import { Body, Controller, Get, Inject, Optional, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryError, QueryErrorCode } from '../query/query-error.js';
import { FunctionQueryService, type QueryResult } from '../query/function-query.service.js';
import {
  AnonymousRequestAuthenticator,
  REQUEST_AUTHENTICATOR,
  type RequestAuthenticator,
} from '../query/query-hooks.js';
import { RestErrorFilter } from './rest-error.filter.js';
import { RESULT_MEDIA_TYPES, negotiateFormat, toCsv, toNdjson } from './result-encoders.js';

/**
 * `GET|POST /api/v1/functions/{Name}`: parameters from the query string or a JSON object body, rows as
 * `{"data":[…], "meta":{…}}`, CSV or NDJSON (Accept). Everything else happens in FunctionQueryService.execute.
 */
@Controller('api/v1/functions')
@UseFilters(RestErrorFilter)
export class FunctionController {
  private readonly authenticator: RequestAuthenticator;

  constructor(
    private readonly query: FunctionQueryService,
    @Optional() @Inject(REQUEST_AUTHENTICATOR) authenticator?: RequestAuthenticator,
  ) {
    this.authenticator = authenticator ?? new AnonymousRequestAuthenticator();
  }

  @Get(':name')
  async get(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.respond(name, fromQueryString(name, request.query), request, reply);
  }

  @Post(':name')
  async post(
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.respond(name, fromBody(name, body), request, reply);
  }

  private async respond(
    name: string,
    params: Record<string, unknown>,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const format = negotiateFormat(request.headers.accept);
    if (!format) {
      reply.status(406).header('content-type', 'application/problem+json; charset=utf-8');
      await reply.send({
        status: 406,
        code: 'REST_NOT_ACCEPTABLE',
        title: `cannot answer with ${request.headers.accept}; use application/json, text/csv or application/x-ndjson`,
      });
      return;
    }
    const principal = await this.authenticator.authenticate(request.headers, request.ip);
    const result = await this.query.execute(principal, name, params, { requestId: String(request.id) });
    await send(reply, format, result);
  }
}

async function send(
  reply: FastifyReply,
  format: 'json' | 'csv' | 'ndjson',
  result: QueryResult,
): Promise<void> {
  reply
    .status(200)
    .header('content-type', RESULT_MEDIA_TYPES[format])
    .header('x-kqlgate-row-count', String(result.meta.rowCount))
    .header('x-kqlgate-truncated', String(result.meta.truncated));
  switch (format) {
    case 'json':
      await reply.send(JSON.stringify({ data: result.rows, meta: result.meta }));
      return;
    case 'csv':
      await reply.send(toCsv(result));
      return;
    case 'ndjson':
      await reply.send(toNdjson(result));
      return;
  }
}

function fromQueryString(fn: string, query: unknown): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const repeated: string[] = [];
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(value)) {
      repeated.push(key);
    }
    params[key] = value;
  }
  if (repeated.length > 0) {
    throw QueryError.invalidParameters(
      fn,
      repeated.map((parameter) => ({ parameter, message: 'was given more than once' })),
    );
  }
  return params;
}

function fromBody(fn: string, body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') {
    return {};
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new QueryError(
      QueryErrorCode.InvalidParameters,
      `the body of POST /api/v1/functions/${fn} must be a JSON object of parameters`,
      { function: fn, parameters: [] },
    );
  }
  return body as Record<string, unknown>;
}
