import { request, type IncomingHttpHeaders } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface HttpFromInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

let lastHost = 0;

/**
 * A fresh loopback source address (127.0.9.1, 127.0.9.2, …): Linux answers the whole of 127.0.0.0/8 locally, so a
 * test can stand for many distinct clients — each with its own failed-authentication count and rate-limit budget —
 * against a gateway listening on 127.0.0.1.
 */
export function nextClientAddress(): string {
  lastHost += 1;
  return `127.0.${9 + Math.floor(lastHost / 250)}.${1 + (lastHost % 250)}`;
}

/** One HTTP request sent from `localAddress` (fetch cannot choose its source address). */
export function httpFrom(localAddress: string, url: string, init: HttpFromInit = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, localAddress, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}
