import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createLogger } from '../../common/logging/logger.js';
import { describeError } from '../query/error-status.js';

/**
 * Every error of the REST edge as RFC 9457 problem JSON: `status`, a stable `code`, the message, and the facts
 * (`function`, `parameters: [{parameter, message}]`, …) from the error's details.
 */
@Catch()
export class RestErrorFilter implements ExceptionFilter {
  private readonly logger = createLogger('rest');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const body = describeError(error);
    if (body.status >= 500) {
      this.logger.error({ err: error, url: request.url, code: body.code }, body.message);
    }
    void reply
      .status(body.status)
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send({
        ...body.details,
        type: `https://kqlgate.dev/problems/${body.code.toLowerCase().replace(/_/g, '-')}`,
        title: body.message,
        status: body.status,
        code: body.code,
      });
  }
}
