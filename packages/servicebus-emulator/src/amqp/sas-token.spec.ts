import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySasToken } from './sas-token.js';

function token(key: string, audience: string, expiry: number, keyName = 'RootManageSharedAccessKey'): string {
  const sr = encodeURIComponent(audience);
  const sig = encodeURIComponent(createHmac('sha256', key).update(`${sr}\n${expiry}`).digest('base64'));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${expiry}&skn=${keyName}`;
}

describe('verifySasToken', () => {
  const now = 1_700_000_000_000;
  const future = now / 1000 + 3600;

  it('should accept a token signed with the key', () => {
    expect(
      verifySasToken(token('k', 'sb://127.0.0.1:5672/orders', future), 'RootManageSharedAccessKey', 'k', now),
    ).toEqual({
      audience: 'sb://127.0.0.1:5672/orders',
      expiresAt: future * 1000,
    });
  });

  it.each([
    [token('other', 'sb://h/q', future), 'InvalidSignature: the token has an invalid signature.'],
    [token('k', 'sb://h/q', now / 1000 - 1), 'ExpiredToken: the token expired at 2023-11-14T22:13:19.000Z.'],
    [
      token('k', 'sb://h/q', future, 'someone'),
      "InvalidSignature: unknown shared access key name 'someone'.",
    ],
    ['Bearer abc', 'InvalidToken: expected a SharedAccessSignature token (sr, sig, se, skn).'],
    ['SharedAccessSignature sr=x', 'InvalidToken: the token must carry sr, sig, se and skn.'],
  ])('should refuse %s', (value, error) => {
    expect(verifySasToken(value, 'RootManageSharedAccessKey', 'k', now)).toEqual({ error });
  });
});
