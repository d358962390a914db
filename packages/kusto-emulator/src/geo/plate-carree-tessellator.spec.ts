import { describe, expect, it } from 'vitest';
import { GeoUnsupportedError } from './geo-unsupported-error.js';
import { PlateCarreeTessellator } from './plate-carree-tessellator.js';

describe(PlateCarreeTessellator.name, () => {
  describe('densify', () => {
    it('should halve a long planar edge in the plane until the geodesic is within the tolerance', () => {
      const points = new PlateCarreeTessellator(10).densify([
        [50, 50],
        [51, 51],
      ]);
      expect(points).toEqual(Array.from({ length: 9 }, (_, i) => [50 + i / 8, 50 + i / 8]));
    });

    it('should keep a short edge, and a meridian, which is a geodesic, as they are', () => {
      const t = new PlateCarreeTessellator(10);
      expect(
        t.densify([
          [-73.949247, 40.79686],
          [-73.973017, 40.764323],
        ]),
      ).toHaveLength(2);
      expect(
        t.densify([
          [11, 10],
          [11, 11],
        ]),
      ).toHaveLength(2);
    });

    it('should add fewer points for a larger tolerance', () => {
      const edge: [number, number][] = [
        [50, 50],
        [51, 51],
      ];
      expect(new PlateCarreeTessellator(1000).densify(edge).length).toBeLessThan(
        new PlateCarreeTessellator(10).densify(edge).length,
      );
    });

    it('should refuse an edge across the antimeridian', () => {
      expect(() =>
        new PlateCarreeTessellator(10).densify([
          [179, 0],
          [-179, 0],
        ]),
      ).toThrow(GeoUnsupportedError);
    });
  });
});
