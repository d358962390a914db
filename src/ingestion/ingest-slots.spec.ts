import { describe, expect, it } from 'vitest';
import { IngestSlots } from './ingest-slots.js';

describe(IngestSlots.name, () => {
  describe('acquire', () => {
    it('should let at most `max` holders in at once and the waiting ones in by arrival order', async () => {
      const slots = new IngestSlots(2);
      const entered: string[] = [];
      const enter = (name: string) => slots.acquire().then(() => entered.push(name));
      await Promise.all([enter('a'), enter('b')]);
      const waiting = [enter('c'), enter('d')];
      await new Promise((r) => setTimeout(r, 5));
      expect(entered).toEqual(['a', 'b']);
      slots.release();
      await waiting[0];
      expect(entered).toEqual(['a', 'b', 'c']);
      slots.release();
      await waiting[1];
      expect(entered).toEqual(['a', 'b', 'c', 'd']);
    });
  });
});
