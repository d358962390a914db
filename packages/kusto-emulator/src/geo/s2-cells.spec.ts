import { describe, expect, it } from 'vitest';
import { s2CellCenter, s2CellOfPoint, s2CellRing } from './s2-cells.js';

// Expected values are the KQL reference's documented outputs.
describe('s2-cells', () => {
  describe('s2CellOfPoint', () => {
    it("should give Google's S2 token at the level", () => {
      expect(s2CellOfPoint(-80.195829, 25.802215, 8)).toBe('88d9b');
      expect(s2CellOfPoint(10.1234, 53, 8)).toBe('47b1d');
      expect(s2CellOfPoint(10.6842, 53, 8)).toBe('47ae3');
    });

    it('should give an empty token for an invalid point or level', () => {
      expect(s2CellOfPoint(300, 1, 8)).toBe('');
      expect(s2CellOfPoint(1, 1, 35)).toBe('');
      expect(s2CellOfPoint(1, 1, null)).toBe('');
    });
  });

  describe('s2CellCenter', () => {
    it('should give the centre of a token and nothing for an invalid one', () => {
      const [lng, lat] = s2CellCenter('1234567')!;
      expect(lng).toBeCloseTo(9.86830731850408, 12);
      expect(lat).toBeCloseTo(27.468392925827605, 12);
      expect(s2CellCenter('a')).toBeUndefined();
    });
  });

  describe('s2CellRing', () => {
    it('should list the vertices from vertex 0, closed', () => {
      const ring = s2CellRing('89c259')!;
      const expected = [
        [-74.03001224983848, 40.8012684339439],
        [-74.03001224983848, 40.7222262918358],
        [-73.93598211433742, 40.708880489804564],
        [-73.93598211433742, 40.78791713450684],
        [-74.03001224983848, 40.8012684339439],
      ];
      ring.forEach(([lng, lat], i) => {
        expect(lng).toBeCloseTo(expected[i][0], 12);
        expect(lat).toBeCloseTo(expected[i][1], 12);
      });
      expect(s2CellRing('a')).toBeUndefined();
    });
  });
});
