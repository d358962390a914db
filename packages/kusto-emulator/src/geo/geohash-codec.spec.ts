import { describe, expect, it } from 'vitest';
import { decodeGeohash, encodeGeohash, geohashCenter, geohashRing } from './geohash-codec.js';

describe('geohash-codec', () => {
  describe('encodeGeohash', () => {
    it('should encode a point at the requested length', () => {
      expect(encodeGeohash(139.806115, 35.554128, 12)).toBe('xn76m27ty9g4');
      expect(encodeGeohash(-80.195829, 25.802215, 8)).toBe('dhwfz15h');
    });

    it('should refuse a point off the globe or a length outside 1..18', () => {
      expect(encodeGeohash(200, 1, 8)).toBeUndefined();
      expect(encodeGeohash(1, 1, 19)).toBeUndefined();
      expect(encodeGeohash(1, 1, null)).toBeUndefined();
    });
  });

  describe('geohashCenter', () => {
    it('should give the centre of the cell, and nothing for a string that is not a geohash', () => {
      expect(geohashCenter(decodeGeohash('sunny')!)).toEqual([42.47314453125, 23.70849609375]);
      expect(decodeGeohash('a')).toBeUndefined();
    });
  });

  describe('geohashRing', () => {
    it('should list the cell corners counter-clockwise from the south-west one', () => {
      expect(geohashRing(decodeGeohash('dr5ru')!)).toEqual([
        [-74.00390625, 40.7373046875],
        [-73.9599609375, 40.7373046875],
        [-73.9599609375, 40.78125],
        [-74.00390625, 40.78125],
        [-74.00390625, 40.7373046875],
      ]);
    });
  });
});
