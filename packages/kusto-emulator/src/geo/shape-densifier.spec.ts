import { describe, expect, it } from 'vitest';
import { densifyLines, densifyPolygons } from './shape-densifier.js';

describe('shape-densifier', () => {
  describe('densifyPolygons', () => {
    it('should densify each ring in its own vertex order and keep the GeoJSON type', () => {
      const square = JSON.stringify({
        type: 'Polygon',
        coordinates: [
          [
            [10, 10],
            [11, 10],
            [11, 11],
            [10, 11],
            [10, 10],
          ],
        ],
      });
      expect(densifyPolygons(square, 10)).toBe(
        '{"type":"Polygon","coordinates":[[[10,10],[10.25,10],[10.5,10],[10.75,10],[11,10],[11,11],[10.75,11],[10.5,11],[10.25,11],[10,11],[10,10]]]}',
      );
    });

    it('should give undefined for a tolerance outside [0.1, 10000] or an invalid polygon', () => {
      const triangle = '{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1],[0,0]]]}';
      expect(densifyPolygons(triangle, 0)).toBeUndefined();
      expect(densifyPolygons(triangle, 10_001)).toBeUndefined();
      expect(
        densifyPolygons('{"type":"Polygon","coordinates":[[[10,900],[11,10],[11,11],[10,10]]]}', 10),
      ).toBeUndefined();
    });
  });

  describe('densifyLines', () => {
    it('should densify each line of a MultiLineString', () => {
      const lines = '{"type":"MultiLineString","coordinates":[[[50,50],[51,51]],[[0,0],[0,1]]]}';
      const densified = JSON.parse(densifyLines(lines, 10) ?? '') as {
        type: string;
        coordinates: number[][][];
      };
      expect(densified.type).toBe('MultiLineString');
      expect(densified.coordinates.map((line) => line.length)).toEqual([9, 2]);
    });

    it('should give undefined for an invalid line', () => {
      expect(densifyLines('{"type":"LineString","coordinates":[[300,1],[1,1]]}', 10)).toBeUndefined();
    });
  });
});
