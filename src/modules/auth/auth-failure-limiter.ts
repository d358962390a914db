import { isIPv4, isIPv6 } from 'node:net';
import { LRUCache } from 'lru-cache';
import { AuthError, AuthErrorCode } from './auth-error.js';

export interface AuthFailureLimits {
  /** Failed authentications one client may cause per window before it is refused; 0 disables. */
  readonly maxFailures: number;
  readonly windowSeconds: number;
  /** Clients tracked at once; the least recently seen ones are forgotten first. */
  readonly maxClients?: number;
  /** How long a refusal is held before it is answered (default 1 s); see `hold`. */
  readonly refusalDelayMs?: number;
  /** Refusals held at once (default 1,000); beyond that they are answered at once. */
  readonly maxHeldRefusals?: number;
  /** Called once when a client reaches the limit (for a log line). */
  readonly onLimitReached?: (client: string, retryAfterSeconds: number) => void;
}

interface Window {
  readonly startedAtMs: number;
  failures: number;
  /** Checks started and not finished yet: each may still fail, so each counts against the limit meanwhile. */
  pending: number;
}

/**
 * Counts failed authentications per client in fixed windows and refuses a client that reached the limit — before
 * its credentials are checked, so a flood of wrong keys or forged tokens costs a map lookup per request instead
 * of a signature check or a scrypt hash.
 *
 * - A client is an IPv4 address, or an IPv6 /64: one subscriber usually holds a whole /64, so counting single
 *   IPv6 addresses would let it rotate through 2^64 of them.
 * - Checks still running count against the limit (`attempt`): otherwise 64 connections sending wrong keys at once
 *   would all start a check before the first failure is recorded.
 * - A refusal is held for a second before it is answered. Even a cheap answer costs the event loop ~0.2 ms, and a
 *   client sending its next request as soon as the last is answered (64 connections did 4,500 req/s) would take
 *   the loop from legitimate calls; held, each connection gets one answer a second. Holding costs a timer and an
 *   open socket, so at most `maxHeldRefusals` are held at once.
 *
 * In memory and per replica on purpose: what it protects is this replica's CPU, so its own count is the right
 * one, and it needs no Redis. Bounded (LRU over clients), so many source addresses cannot grow it.
 */
export class AuthFailureLimiter {
  private readonly windows: LRUCache<string, Window>;
  private readonly windowMs: number;
  private held = 0;

  constructor(private readonly limits: AuthFailureLimits) {
    this.windowMs = limits.windowSeconds * 1000;
    this.windows = new LRUCache({ max: limits.maxClients ?? 100_000 });
  }

  /** AUTH_TOO_MANY_FAILURES (429) while the client is over the limit, else undefined (always without an address). */
  refusal(address: string | undefined, now: number = Date.now()): AuthError | undefined {
    if (address === undefined || this.limits.maxFailures === 0) {
      return undefined;
    }
    const window = this.current(clientOf(address), now);
    if (!window || window.failures + window.pending < this.limits.maxFailures) {
      return undefined;
    }
    const retryAfterSeconds = this.secondsLeft(window, now);
    return new AuthError(
      AuthErrorCode.TooManyFailures,
      `too many failed authentications from this address; credentials are not checked for ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
  }

  /** Resolves when a refusal may be answered: after the refusal delay, or at once while too many are held. */
  async hold(): Promise<void> {
    const delayMs = this.limits.refusalDelayMs ?? 1000;
    if (delayMs === 0 || this.held >= (this.limits.maxHeldRefusals ?? 1000)) {
      return;
    }
    this.held += 1;
    try {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    } finally {
      this.held -= 1;
    }
  }

  /** Counts a check that is starting; call the returned function with its outcome when it ends. */
  attempt(address: string | undefined, now: number = Date.now()): (failed: boolean) => void {
    if (address === undefined || this.limits.maxFailures === 0) {
      return () => undefined;
    }
    const window = this.currentOrNew(clientOf(address), now);
    window.pending += 1;
    return (failed) => {
      window.pending -= 1;
      if (failed) {
        this.recordFailure(address);
      }
    };
  }

  recordFailure(address: string | undefined, now: number = Date.now()): void {
    if (address === undefined || this.limits.maxFailures === 0) {
      return;
    }
    const client = clientOf(address);
    const window = this.currentOrNew(client, now);
    window.failures += 1;
    if (window.failures === this.limits.maxFailures) {
      this.limits.onLimitReached?.(client, this.secondsLeft(window, now));
    }
  }

  private current(client: string, now: number): Window | undefined {
    const window = this.windows.get(client);
    return window && now - window.startedAtMs < this.windowMs ? window : undefined;
  }

  private currentOrNew(client: string, now: number): Window {
    let window = this.current(client, now);
    if (!window) {
      window = { startedAtMs: now, failures: 0, pending: 0 };
      this.windows.set(client, window);
    }
    return window;
  }

  private secondsLeft(window: Window, now: number): number {
    return Math.max(1, Math.ceil((window.startedAtMs + this.windowMs - now) / 1000));
  }
}

/** The client an address belongs to: an IPv4 address (also when IPv4-mapped), or the /64 of an IPv6 address. */
export function clientOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1])) {
    return mapped[1];
  }
  const withoutZone = address.split('%')[0];
  if (!isIPv6(withoutZone)) {
    return address;
  }
  const [head, tail] = withoutZone.toLowerCase().split('::');
  const groups = (part: string | undefined) =>
    part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : [];
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${full
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
