import { describe, expect, it } from 'vitest';
import { GeoUnsupportedError } from './geo-unsupported-error.js';
import { parseLines, parsePolygons } from './geo-shapes.js';

const square = (size: number): string =>
  JSON.stringify({
    type: 'Polygon',
    coordinates: [
      [
        [0, 0],
        [size, 0],
        [size, size],
        [0, size],
        [0, 0],
      ],
    ],
  });

describe('geo-shapes', () => {
  describe('parsePolygons', () => {
    it('should give the same shape for the same text, and a new one for new text', () => {
      const first = parsePolygons(square(1));
      expect(parsePolygons(square(1))).toBe(first);
      expect(parsePolygons(square(2))).not.toBe(first);
    });

    it('should refuse the same ambiguous text every time it is asked', () => {
      const crossing = JSON.stringify({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [1, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      });
      expect(() => parsePolygons(crossing)).toThrow(GeoUnsupportedError);
      expect(() => parsePolygons(crossing)).toThrow(GeoUnsupportedError);
      expect(parsePolygons(square(1))?.polygons).toHaveLength(1);
    });

    it('should give nothing for text that is not a polygon', () => {
      expect(parsePolygons('{"type":"Point","coordinates":[1,1]}')).toBeUndefined();
      expect(parsePolygons('not json')).toBeUndefined();
      expect(parsePolygons(null)).toBeUndefined();
    });
  });

  describe('parseLines', () => {
    it('should read each line of a MultiLineString', () => {
      const multi = JSON.stringify({
        type: 'MultiLineString',
        coordinates: [
          [
            [0, 0],
            [1, 1],
          ],
          [
            [2, 2],
            [3, 3],
          ],
        ],
      });
      expect(parseLines(multi)).toMatchObject({ multi: true });
      expect(parseLines(multi)?.lines).toHaveLength(2);
    });

    it('should refuse an edge between antipodal points', () => {
      const antipodal = JSON.stringify({
        type: 'LineString',
        coordinates: [
          [0, 0],
          [180, 0],
        ],
      });
      expect(() => parseLines(antipodal)).toThrow(GeoUnsupportedError);
    });
  });
});
