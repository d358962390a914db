import { createHash, timingSafeEqual } from 'node:crypto';

/** What a scrape is answered with, whichever listener serves it. */
export interface MetricsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The check of `METRICS_TOKEN`: a scrape must send `Authorization: Bearer <token>`. Both sides are hashed before
 * the constant-time comparison, so neither the token's value nor its length leaks through timing.
 */
export class MetricsAccess {
  private readonly expected?: Buffer;

  constructor(token: string | undefined) {
    this.expected = token === undefined ? undefined : digest(token);
  }

  get protected(): boolean {
    return this.expected !== undefined;
  }

  allows(authorization: string | string[] | undefined): boolean {
    if (!this.expected) {
      return true;
    }
    const match = typeof authorization === 'string' ? /^Bearer +(\S+)\s*$/i.exec(authorization) : null;
    return match !== null && timingSafeEqual(digest(match[1]), this.expected);
  }

  /** The 401 of a scrape without the right token, as problem JSON like every other refusal. */
  refusal(): MetricsAnswer {
    return {
      status: 401,
      headers: {
        'content-type': 'application/problem+json; charset=utf-8',
        'www-authenticate': 'Bearer realm="kqlgate-metrics"',
        'cache-control': 'no-store',
      },
      body: JSON.stringify({
        type: 'https://kqlgate.dev/problems/metrics-unauthorized',
        title: 'GET /metrics needs the header "Authorization: Bearer <METRICS_TOKEN>"',
        status: 401,
        code: 'METRICS_UNAUTHORIZED',
      }),
    };
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
