import { describe, expect, it } from 'vitest';
import { clientProblem } from './client-error.handler.js';

describe('clientProblem', () => {
  it('should explain each parser error with a status, a stable code and what to change', () => {
    const overflow = Object.assign(new Error('Header overflow'), { code: 'HPE_HEADER_OVERFLOW' });
    expect(clientProblem(overflow, 8192)).toEqual({
      status: 431,
      reason: 'Request Header Fields Too Large',
      code: 'HTTP_HEADERS_TOO_LARGE',
      title:
        'the request line and headers must fit in 8192 bytes together; send fewer or shorter headers (e.g. a smaller cookie or one credential) or parameters in a POST body',
    });
    const timeout = Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    expect(clientProblem(timeout)).toMatchObject({ status: 408, code: 'HTTP_REQUEST_TIMEOUT' });
    const malformed = Object.assign(new Error('Invalid method'), { code: 'HPE_INVALID_METHOD' });
    expect(clientProblem(malformed)).toMatchObject({
      status: 400,
      code: 'HTTP_MALFORMED_REQUEST',
      title: 'the request is not valid HTTP/1.1 (HPE_INVALID_METHOD)',
    });
  });
});
