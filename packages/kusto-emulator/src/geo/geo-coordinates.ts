/**
 * Coordinates and GeoJSON values as Kusto's geospatial functions take and return them: WGS-84 longitude and
 * latitude in degrees, points and polygons as GeoJSON `dynamic` values (longitude first).
 */

export type LngLat = readonly [lng: number, lat: number];

export function isLongitude(lng: unknown): lng is number {
  return typeof lng === 'number' && Number.isFinite(lng) && lng >= -180 && lng <= 180;
}

export function isLatitude(lat: unknown): lat is number {
  return typeof lat === 'number' && Number.isFinite(lat) && lat >= -90 && lat <= 90;
}

/** A whole number in [min, max] (Kusto `int` arguments such as resolutions and levels). */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

export function pointJson([lng, lat]: LngLat): string {
  return JSON.stringify({ type: 'Point', coordinates: [lng, lat] });
}

/** A one-ring polygon; `ring` is closed (its last vertex repeats the first). */
export function polygonJson(ring: readonly LngLat[]): string {
  return JSON.stringify({ type: 'Polygon', coordinates: [ring] });
}
