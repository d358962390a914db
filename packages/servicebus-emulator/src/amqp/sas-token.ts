import { createHmac, timingSafeEqual } from 'node:crypto';

export interface VerifiedToken {
  /** The resource the token grants, as the client wrote it (URL-decoded), e.g. `sb://127.0.0.1:5672/orders`. */
  readonly audience: string;
  readonly expiresAt: number;
}

/**
 * Verifies a Service Bus SAS token (`SharedAccessSignature sr=…&sig=…&se=…&skn=…`): the signature is
 * HMAC-SHA256 with the shared access key over `<sr as sent>\n<se>`. Returns the reason on failure, phrased like
 * the service's 401 descriptions so that users recognise them.
 */
export function verifySasToken(
  token: unknown,
  keyName: string,
  key: string,
  now = Date.now(),
): VerifiedToken | { error: string } {
  if (typeof token !== 'string' || !token.startsWith('SharedAccessSignature ')) {
    return { error: 'InvalidToken: expected a SharedAccessSignature token (sr, sig, se, skn).' };
  }
  const fields = new Map<string, string>();
  for (const part of token.slice('SharedAccessSignature '.length).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) {
      fields.set(part.slice(0, eq), part.slice(eq + 1));
    }
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (sr === undefined || sig === undefined || se === undefined || skn === undefined) {
    return { error: 'InvalidToken: the token must carry sr, sig, se and skn.' };
  }
  if (decodeURIComponent(skn) !== keyName) {
    return { error: `InvalidSignature: unknown shared access key name '${decodeURIComponent(skn)}'.` };
  }
  const expiresAt = Number(se) * 1000;
  if (!Number.isFinite(expiresAt) || expiresAt <= now) {
    return { error: `ExpiredToken: the token expired at ${new Date(expiresAt).toISOString()}.` };
  }
  const expected = createHmac('sha256', key).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { error: 'InvalidSignature: the token has an invalid signature.' };
  }
  return { audience: decodeURIComponent(sr), expiresAt };
}
