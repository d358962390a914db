/**
 * Distances as Kusto measures them: on a sphere of S2's mean Earth radius (6 371 010 m, `S2Earth`), along
 * great circles. The reference's own example (1 546 754.35197381 m from Seattle to Los Angeles) matches this
 * radius to 15 digits, and no ellipsoidal formula does.
 */
import { s2 } from 's2js';
import { isLatitude, isLongitude } from './geo-coordinates.js';

export const EARTH_RADIUS_METERS = 6371010;

/** Meters between two points, or `undefined` if either is not a valid coordinate. */
export function sphereDistance(
  lng1: unknown,
  lat1: unknown,
  lng2: unknown,
  lat2: unknown,
): number | undefined {
  if (!isLongitude(lng1) || !isLatitude(lat1) || !isLongitude(lng2) || !isLatitude(lat2)) {
    return undefined;
  }
  const a = s2.LatLng.fromDegrees(lat1, lng1);
  const b = s2.LatLng.fromDegrees(lat2, lng2);
  return a.distance(b) * EARTH_RADIUS_METERS;
}

/** Whether a point lies within `radius` meters of a centre; `undefined` for invalid input or a negative radius. */
export function isPointInCircle(
  lng: unknown,
  lat: unknown,
  centerLng: unknown,
  centerLat: unknown,
  radius: unknown,
): boolean | undefined {
  if (typeof radius !== 'number' || !Number.isFinite(radius) || radius < 0) {
    return undefined;
  }
  const distance = sphereDistance(lng, lat, centerLng, centerLat);
  return distance === undefined ? undefined : distance <= radius;
}
