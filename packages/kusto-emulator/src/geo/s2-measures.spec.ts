import { describe, expect, it } from 'vitest';
import { GeoUnsupportedError } from './geo-unsupported-error.js';
import {
  closestPointOnLine,
  distanceToLine,
  distanceToPolygon,
  isPointInPolygon,
  lineCentroid,
  lineInterpolatePoint,
  lineLength,
  lineLocatePoint,
  polygonArea,
  polygonCentroid,
  polygonPerimeter,
} from './s2-measures.js';

// Expected values are the KQL reference's documented outputs (15 significant digits).
const line = (coordinates: number[][]): string => JSON.stringify({ type: 'LineString', coordinates });
const polygon = (...rings: number[][][]): string => JSON.stringify({ type: 'Polygon', coordinates: rings });
const CENTRAL_PARK = [
  [-73.9495, 40.7969],
  [-73.95807266235352, 40.80068603561921],
  [-73.98201942443848, 40.76825672305777],
  [-73.97317886352539, 40.76455136505513],
  [-73.9495, 40.7969],
];
const LAS_VEGAS = line([
  [-115.115385, 36.229195],
  [-115.136995, 36.200366],
  [-115.14025, 36.19247],
  [-115.143558, 36.188523],
  [-115.144076, 36.181954],
  [-115.154662, 36.174483],
  [-115.166431, 36.176388],
  [-115.183289, 36.175007],
  [-115.192612, 36.176736],
  [-115.202485, 36.173439],
  [-115.225355, 36.174365],
]);
const SHORT_LINE = line([
  [-73.95796, 40.80042],
  [-73.97317, 40.764486],
]);

function expectClose(actual: readonly number[] | undefined, expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => expect(actual![i]).toBeCloseTo(value, 11));
}

describe('s2-measures', () => {
  describe('lineLength', () => {
    it('should sum great-circle edges on the S2 Earth radius', () => {
      const length = lineLength(
        line([
          [-73.95807266235352, 40.800426144169315],
          [-73.94966125488281, 40.79691751000055],
          [-73.97317886352539, 40.764486356930334],
        ]),
      );
      expect(length).toBeCloseTo(4922.48016992081, 8);
    });

    it('should give nothing for a line of one point', () => {
      expect(lineLength(line([[1, 1]]))).toBeUndefined();
    });

    it('should refuse a MultiLineString of several lines (ADX measures their union)', () => {
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
      expect(() => lineLength(multi)).toThrow(GeoUnsupportedError);
    });
  });

  describe('distanceToLine', () => {
    it('should measure to the closest point of the line', () => {
      expect(distanceToLine(-115.199625, 36.210419, LAS_VEGAS)).toBeCloseTo(3797.88887253334, 7);
      expectClose(closestPointOnLine(-115.199625, 36.210419, LAS_VEGAS), [-115.192612, 36.176736]);
    });

    it('should give nothing for an invalid point or line', () => {
      expect(
        distanceToLine(
          300,
          3,
          line([
            [1, 1],
            [2, 2],
          ]),
        ),
      ).toBeUndefined();
      expect(distanceToLine(1, 1, JSON.stringify({ type: 'LineString' }))).toBeUndefined();
    });
  });

  describe('lineLocatePoint', () => {
    it('should give the fraction of the line before its closest point', () => {
      expect(lineLocatePoint(SHORT_LINE, -73.965, 40.792)).toBeCloseTo(0.2556013510030755, 10);
    });
  });

  describe('lineInterpolatePoint', () => {
    it('should walk the fraction of the line along great circles', () => {
      expectClose(lineInterpolatePoint(SHORT_LINE, 0.25), [-73.96176404321828, 40.79143668725723]);
    });
  });

  describe('lineCentroid', () => {
    it('should weight edges by their length on the sphere', () => {
      expectClose(lineCentroid(SHORT_LINE), [-73.96556705723094, 40.782453249627416]);
    });
  });

  describe('polygonArea', () => {
    it('should give the spherical area in square meters', () => {
      expect(polygonArea(polygon(CENTRAL_PARK))).toBeCloseTo(3475207.28346606, 5);
    });

    it('should read a clockwise ring as the smaller region, as ADX does', () => {
      expect(polygonArea(polygon([...CENTRAL_PARK].reverse()))).toBeCloseTo(3475207.28346606, 5);
    });

    it('should give nothing for a ring of fewer than three distinct vertices', () => {
      expect(
        polygonArea(
          polygon([
            [0, 0],
            [10, 10],
            [10, 10],
            [0, 0],
          ]),
        ),
      ).toBeUndefined();
    });
  });

  describe('polygonPerimeter', () => {
    it('should sum the ring edges', () => {
      expect(polygonPerimeter(polygon(CENTRAL_PARK))).toBeCloseTo(9930.30149604938, 8);
    });
  });

  describe('polygonCentroid', () => {
    it('should give the area-weighted centroid', () => {
      expectClose(polygonCentroid(polygon(CENTRAL_PARK)), [-73.96573568990762, 40.78255053805781]);
    });
  });

  describe('distanceToPolygon', () => {
    it('should be 0 inside and the distance to the boundary outside', () => {
      expect(distanceToPolygon(-73.9839, 40.7705, polygon(CENTRAL_PARK))).toBeCloseTo(259.940756070596, 8);
      expect(distanceToPolygon(-73.965, 40.782, polygon(CENTRAL_PARK))).toBe(0);
    });

    it('should give nothing for an invalid point, before looking at the polygon', () => {
      expect(
        distanceToPolygon(
          500,
          1,
          polygon([
            [0, 0],
            [10, 10],
            [10, 1],
            [0, 0],
          ]),
        ),
      ).toBeUndefined();
    });
  });

  describe('isPointInPolygon', () => {
    it('should exclude a hole whatever the orientation of its ring', () => {
      const shell = [
        [0, 0],
        [4, 0],
        [4, 4],
        [0, 4],
        [0, 0],
      ];
      const hole = [
        [1, 1],
        [2, 1],
        [2, 2],
        [1, 2],
        [1, 1],
      ];
      expect(isPointInPolygon(3, 3, polygon(shell, hole))).toBe(true);
      expect(isPointInPolygon(1.5, 1.5, polygon(shell, hole))).toBe(false);
      expect(isPointInPolygon(1.5, 1.5, polygon(shell, [...hole].reverse()))).toBe(false);
    });

    it('should refuse coordinates nested deeper than GeoJSON', () => {
      const nested = JSON.stringify({ type: 'MultiPolygon', coordinates: [[[CENTRAL_PARK]]] });
      expect(() => isPointInPolygon(-73.965, 40.782, nested)).toThrow(GeoUnsupportedError);
    });
  });
});
