import { describe, expect, it } from 'vitest';
import { SettlementGate } from './settlement-gate.js';

/** A settlement the test acknowledges by hand, recording when it started. */
function pending(log: string[], name: string) {
  let ack: () => void = () => undefined;
  const acknowledged = new Promise<void>((resolve) => (ack = resolve));
  return {
    settle: () => {
      log.push(`start ${name}`);
      return acknowledged;
    },
    ack: () => ack(),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe(SettlementGate.name, () => {
  describe('run', () => {
    it('should run settlements of one outcome together', async () => {
      const gate = new SettlementGate();
      const log: string[] = [];
      const a = pending(log, 'a');
      const b = pending(log, 'b');
      const done = [gate.run('complete', a.settle), gate.run('complete', b.settle)];
      await tick();
      expect(log).toEqual(['start a', 'start b']);
      a.ack();
      b.ack();
      await Promise.all(done);
    });

    it('should start a different outcome only after every settlement in flight is acknowledged', async () => {
      const gate = new SettlementGate();
      const log: string[] = [];
      const complete = pending(log, 'complete');
      const deadLetter = pending(log, 'dead-letter');
      const later = pending(log, 'later complete');
      const done = [
        gate.run('complete', complete.settle),
        gate.run('dead-letter\u0000R\u0000d', deadLetter.settle),
        // Same outcome as the one running, but it arrived after a waiter: it waits its turn.
        gate.run('complete', later.settle),
      ];
      await tick();
      expect(log).toEqual(['start complete']);
      complete.ack();
      await tick();
      expect(log).toEqual(['start complete', 'start dead-letter']);
      deadLetter.ack();
      await tick();
      expect(log).toEqual(['start complete', 'start dead-letter', 'start later complete']);
      later.ack();
      await Promise.all(done);
    });

    it('should move on when a settlement fails', async () => {
      const gate = new SettlementGate();
      const log: string[] = [];
      const next = pending(log, 'next');
      const failed = gate.run('abandon', () => Promise.reject(new Error('lock lost')));
      const done = gate.run('complete', next.settle);
      await expect(failed).rejects.toThrow('lock lost');
      await tick();
      expect(log).toEqual(['start next']);
      next.ack();
      await done;
    });
  });
});
