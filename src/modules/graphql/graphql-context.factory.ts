import { HeaderMap } from '@apollo/server';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLError as GraphQLErrorType } from 'graphql';
import { markRequestAudited } from '../../common/logging/audited-requests.js';
import type { Principal } from '../auth/principal.js';
import { clientDisconnectSignal } from '../query/client-disconnect.js';
import { describeError } from '../query/error-status.js';
import { FunctionQueryService } from '../query/function-query.service.js';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { REQUEST_AUTHENTICATOR } from '../query/query-hooks.js';
import { refusalHeaders } from '../query/refusal-headers.js';
import { RateLimitError, type RateLimitState } from '../rate-limit/rate-limit-error.js';
import { graphqlJs } from './graphql-runtime.js';
import { createCallLoader, type GraphqlContext } from './schema-builder.js';

const { GraphQLError } = graphqlJs;

/** The rate-limit budget a request's function calls left, for its `RateLimit-*` headers. */
export class CallBudget {
  private tightest?: RateLimitState;
  private refusal?: RateLimitState;

  /** The budget that refused a call, else the tightest budget of the calls answered. */
  get state(): RateLimitState | undefined {
    return this.refusal ?? this.tightest;
  }

  answered(state: RateLimitState | undefined): void {
    if (state && (!this.tightest || state.remaining <= this.tightest.remaining)) {
      this.tightest = state;
    }
  }

  refused(error: unknown): void {
    if (error instanceof RateLimitError && error.state) {
      this.refusal = error.state;
    }
  }
}

export interface GraphqlRequestContext extends GraphqlContext {
  readonly budget: CallBudget;
}

/**
 * The context of one GraphQL request (Apollo's `context` function, called with Fastify's request and reply):
 * who calls, and a DataLoader whose calls go through the one query path, FunctionQueryService.execute, with the
 * request id and a signal that aborts the engine queries when the client goes away.
 *
 * A caller whose credentials are refused gets the refusal as the whole answer: the error thrown here is Apollo's
 * answer as it stands, with the status and headers (`WWW-Authenticate`, `Retry-After`) of the REST edge.
 */
@Injectable()
export class GraphqlContextFactory {
  constructor(
    private readonly query: FunctionQueryService,
    @Inject(REQUEST_AUTHENTICATOR) private readonly authenticator: RequestAuthenticator,
  ) {}

  async create(request: FastifyRequest, reply: FastifyReply): Promise<GraphqlRequestContext> {
    const requestId = String(request.id);
    let principal: Principal;
    try {
      principal = await this.authenticator.authenticate(request.headers, request.ip, requestId);
    } catch (error) {
      throw refusal(error);
    }
    const options = { requestId, signal: clientDisconnectSignal(reply.raw) };
    const budget = new CallBudget();
    return {
      principal,
      calls: [],
      budget,
      loader: createCallLoader(async (fn, args) => {
        // The call writes its audit line whatever its outcome: a successful answer needs no request line too.
        markRequestAudited(request);
        try {
          const result = await this.query.execute(principal, fn, args, options);
          budget.answered(result.rateLimit);
          return result;
        } catch (error) {
          budget.refused(error);
          throw error;
        }
      }),
    };
  }
}

/** A refused authentication as Apollo's answer: the body of the REST edge's error, its status and headers. */
function refusal(error: unknown): GraphQLErrorType {
  const body = describeError(error);
  return new GraphQLError(body.message, {
    extensions: {
      ...body.details,
      code: body.code,
      status: body.status,
      http: {
        status: body.status,
        headers: new HeaderMap(Object.entries(refusalHeaders(error, body.status))),
      },
    },
  });
}
