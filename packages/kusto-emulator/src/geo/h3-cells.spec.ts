import { describe, expect, it } from 'vitest';
import {
  h3CellCenter,
  h3CellChildren,
  h3CellLevel,
  h3CellNeighbors,
  h3CellOfPoint,
  h3CellParent,
  h3CellRing,
  h3CellRings,
} from './h3-cells.js';

// Expected values are the KQL reference's documented outputs.
describe('h3-cells', () => {
  describe('h3CellOfPoint', () => {
    it('should give the cell token at the resolution', () => {
      expect(h3CellOfPoint(-74.04450446039874, 40.689250859314974, 6)).toBe('862a1072fffffff');
    });

    it('should give an empty token for an invalid point or resolution', () => {
      expect(h3CellOfPoint(300, 1, 8)).toBe('');
      expect(h3CellOfPoint(1, 1, 16)).toBe('');
      expect(h3CellOfPoint(1, 1, null)).toBe('');
    });
  });

  describe('h3CellCenter', () => {
    it('should give the centre longitude first', () => {
      const [lng, lat] = h3CellCenter('862a1072fffffff')!;
      expect(lng).toBeCloseTo(-74.01600847979245, 12);
      expect(lat).toBeCloseTo(40.7041679083504, 12);
      expect(h3CellCenter('1')).toBeUndefined();
    });
  });

  describe('h3CellRing', () => {
    it('should close the boundary ring', () => {
      const ring = h3CellRing('862a1072fffffff')!;
      expect(ring).toHaveLength(7);
      expect(ring[0][0]).toBeCloseTo(-74.0022744646159, 12);
      expect(ring[6]).toEqual(ring[0]);
      expect(h3CellRing('@')).toBeUndefined();
    });
  });

  describe('h3CellParent', () => {
    it('should default to the immediate parent and refuse a finer resolution', () => {
      expect(h3CellParent('862a1072fffffff', undefined)).toBe('852a1073fffffff');
      expect(h3CellParent('862a1072fffffff', 1)).toBe('812a3ffffffffff');
      expect(h3CellParent('862a1072fffffff', 15)).toBe('');
      expect(h3CellParent('123', undefined)).toBe('');
    });
  });

  describe('h3CellChildren', () => {
    it('should give the children at most 5 levels down', () => {
      expect(h3CellChildren('862a1072fffffff', undefined)).toEqual([
        '872a10728ffffff',
        '872a10729ffffff',
        '872a1072affffff',
        '872a1072bffffff',
        '872a1072cffffff',
        '872a1072dffffff',
        '872a1072effffff',
      ]);
      expect(h3CellChildren('862a1072fffffff', 9)).toHaveLength(343);
      expect(h3CellChildren(h3CellOfPoint(1, 1, 9), 15)).toBeUndefined();
      expect(h3CellChildren('abc', undefined)).toBeUndefined();
    });
  });

  describe('h3CellNeighbors', () => {
    it('should list the neighbours in traversal order', () => {
      expect(h3CellNeighbors('862a1072fffffff')).toEqual([
        '862a10727ffffff',
        '862a10707ffffff',
        '862a1070fffffff',
        '862a10777ffffff',
        '862a100dfffffff',
        '862a100d7ffffff',
      ]);
    });
  });

  describe('h3CellRings', () => {
    it('should give ring 0 to the distance and refuse a distance over 142', () => {
      const rings = h3CellRings('861f8894fffffff', 1)!;
      expect(rings[0]).toEqual(['861f8894fffffff']);
      expect(rings[1]).toEqual([
        '861f88947ffffff',
        '861f8895fffffff',
        '861f88867ffffff',
        '861f8d497ffffff',
        '861f8d4b7ffffff',
        '861f8896fffffff',
      ]);
      expect(h3CellRings('861f8894fffffff', 150)).toBeUndefined();
    });
  });

  describe('h3CellLevel', () => {
    it('should give the resolution of a valid cell only', () => {
      expect(h3CellLevel('862a1072fffffff')).toBe(6);
      expect(h3CellLevel('abc')).toBeUndefined();
    });
  });
});
