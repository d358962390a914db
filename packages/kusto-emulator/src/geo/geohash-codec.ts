/**
 * Geohash (Gustavo Niemeyer's public-domain system, as Kusto's geo_point_to_geohash uses it): longitude and
 * latitude bits interleaved, longitude first, five bits per base-32 character. Kusto accepts 1 to 18
 * characters.
 */
import { isIntegerIn, isLatitude, isLongitude, type LngLat } from './geo-coordinates.js';

const ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';
export const GEOHASH_MAX_LENGTH = 18;

export interface GeohashBox {
  readonly west: number;
  readonly south: number;
  readonly east: number;
  readonly north: number;
}

/** The geohash of a point, or `undefined` for an invalid point or length. */
export function encodeGeohash(lng: unknown, lat: unknown, length: unknown): string | undefined {
  if (!isLongitude(lng) || !isLatitude(lat) || !isIntegerIn(length, 1, GEOHASH_MAX_LENGTH)) {
    return undefined;
  }
  const lngRange = [-180, 180];
  const latRange = [-90, 90];
  let hash = '';
  let even = true;
  let bits = 0;
  let bitCount = 0;
  while (hash.length < length) {
    const range = even ? lngRange : latRange;
    const value = even ? lng : lat;
    const mid = (range[0] + range[1]) / 2;
    bits <<= 1;
    if (value >= mid) {
      bits |= 1;
      range[0] = mid;
    } else {
      range[1] = mid;
    }
    even = !even;
    if (++bitCount === 5) {
      hash += ALPHABET[bits];
      bits = 0;
      bitCount = 0;
    }
  }
  return hash;
}

/** The cell a geohash stands for, or `undefined` when it is not a geohash Kusto accepts. */
export function decodeGeohash(hash: unknown): GeohashBox | undefined {
  if (typeof hash !== 'string' || hash.length < 1 || hash.length > GEOHASH_MAX_LENGTH) {
    return undefined;
  }
  let west = -180;
  let east = 180;
  let south = -90;
  let north = 90;
  let even = true;
  for (const char of hash) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) {
      return undefined;
    }
    for (let bit = 4; bit >= 0; bit--) {
      const set = ((index >> bit) & 1) === 1;
      if (even) {
        const mid = (west + east) / 2;
        [west, east] = set ? [mid, east] : [west, mid];
      } else {
        const mid = (south + north) / 2;
        [south, north] = set ? [mid, north] : [south, mid];
      }
      even = !even;
    }
  }
  return { west, south, east, north };
}

export function geohashCenter(box: GeohashBox): LngLat {
  return [(box.west + box.east) / 2, (box.south + box.north) / 2];
}

/** The box's corners counter-clockwise from the south-west one, closed, as Kusto lists them. */
export function geohashRing(box: GeohashBox): LngLat[] {
  return [
    [box.west, box.south],
    [box.east, box.south],
    [box.east, box.north],
    [box.west, box.north],
    [box.west, box.south],
  ];
}
