import { describe, expect, it } from 'vitest';
import type { PipelineEntry } from './pipeline-entry.js';
import { TwinHold } from './twin-hold.js';

function entry(idKey: string, n: number): PipelineEntry {
  return { idKey, rows: n } as PipelineEntry;
}

describe(TwinHold.name, () => {
  describe('claim', () => {
    it('should let the first message of an id through and hold its twins', () => {
      const hold = new TwinHold();
      expect(hold.claim(entry('T/a', 1))).toBe(true);
      expect(hold.claim(entry('T/a', 2))).toBe(false);
      expect(hold.claim(entry('T/b', 1))).toBe(true);
    });
  });

  describe('release', () => {
    it('should hand over the twins one at a time, in arrival order, each once its predecessor settled', () => {
      const hold = new TwinHold();
      hold.claim(entry('T/a', 1));
      hold.claim(entry('T/a', 2));
      hold.claim(entry('T/a', 3));
      expect(hold.release('T/a')?.rows).toBe(2);
      // The released twin owns the id now: a newcomer waits behind the remaining twin.
      expect(hold.claim(entry('T/a', 4))).toBe(false);
      expect(hold.release('T/a')?.rows).toBe(3);
      expect(hold.release('T/a')?.rows).toBe(4);
      expect(hold.release('T/a')).toBeUndefined();
      expect(hold.claim(entry('T/a', 5))).toBe(true);
    });
  });
});
