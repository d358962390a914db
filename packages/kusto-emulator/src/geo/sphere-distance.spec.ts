import { describe, expect, it } from 'vitest';
import { isPointInCircle, sphereDistance } from './sphere-distance.js';

// Expected values are the KQL reference's documented outputs.
describe('sphere-distance', () => {
  describe('sphereDistance', () => {
    it('should measure along a great circle of the S2 Earth radius', () => {
      expect(sphereDistance(-122.407628, 47.578557, -118.275287, 34.019056)).toBeCloseTo(1546754.35197381, 6);
    });

    it('should refuse a coordinate off the globe', () => {
      expect(sphereDistance(300, 1, 1, 1)).toBeUndefined();
    });
  });

  describe('isPointInCircle', () => {
    it('should include points within the radius', () => {
      expect(isPointInCircle(-122.143564, 47.535677, -122.100896, 47.527351, 3500)).toBe(true);
      expect(isPointInCircle(-122.137575, 47.630683, -122.100896, 47.527351, 3500)).toBe(false);
    });

    it('should refuse a negative radius or an invalid point', () => {
      expect(isPointInCircle(1, 1, 1, 1, -1)).toBeUndefined();
      expect(isPointInCircle(200, 1, 1, 1, 1)).toBeUndefined();
    });
  });
});
