/**
 * Lengths, areas, centroids, distances and containment of GeoJSON lines and polygons on S2's sphere, as ADX
 * computes them with S2 (great-circle edges, Earth radius 6 371 010 m). `undefined` means invalid input (the
 * function returns null). Multi-part inputs are answered only where the answer does not depend on how ADX
 * merges the parts (a distance or containment over parts is the closest or any part); elsewhere, and for
 * ambiguous shapes (geo-shapes.ts), GeoUnsupportedError.
 */
import { s2 } from 's2js';
import { isLatitude, isLongitude, type LngLat } from './geo-coordinates.js';
import { parseLines, parsePolygons } from './geo-shapes.js';
import { GeoUnsupportedError } from './geo-unsupported-error.js';
import { EARTH_RADIUS_METERS } from './sphere-distance.js';

const DEGREES = 180 / Math.PI;

function pointOf(lng: unknown, lat: unknown): s2.Point | undefined {
  return isLongitude(lng) && isLatitude(lat)
    ? s2.Point.fromLatLng(s2.LatLng.fromDegrees(lat, lng))
    : undefined;
}

function lngLatOf(point: s2.Point): LngLat {
  const ll = s2.LatLng.fromPoint(point);
  return [ll.lng * DEGREES, ll.lat * DEGREES];
}

function singleLine(value: unknown): s2.Polyline | undefined {
  const parsed = parseLines(value);
  if (parsed && parsed.lines.length > 1) {
    throw new GeoUnsupportedError('of a MultiLineString with several lines');
  }
  return parsed?.lines[0];
}

function singlePolygon(value: unknown): s2.Polygon | undefined {
  const parsed = parsePolygons(value);
  if (parsed && parsed.polygons.length > 1) {
    throw new GeoUnsupportedError('of a MultiPolygon with several polygons');
  }
  return parsed?.polygons[0];
}

/** The closest point of `line` to `point`. */
function closestOnLine(line: s2.Polyline, point: s2.Point): s2.Point {
  return line.project(point)[0];
}

function closestOnLines(lines: readonly s2.Polyline[], point: s2.Point): s2.Point {
  let best = closestOnLine(lines[0], point);
  for (const line of lines.slice(1)) {
    const candidate = closestOnLine(line, point);
    if (candidate.distance(point) < best.distance(point)) {
      best = candidate;
    }
  }
  return best;
}

export function lineLength(value: unknown): number | undefined {
  const line = singleLine(value);
  return line && line.length() * EARTH_RADIUS_METERS;
}

export function lineCentroid(value: unknown): LngLat | undefined {
  const line = singleLine(value);
  return line && lngLatOf(line.centroid());
}

export function distanceToLine(lng: unknown, lat: unknown, value: unknown): number | undefined {
  // An invalid point gives null before the line is looked at (ADX: null even beside an ambiguous shape).
  const point = pointOf(lng, lat);
  const parsed = point && parseLines(value);
  return point && parsed && closestOnLines(parsed.lines, point).distance(point) * EARTH_RADIUS_METERS;
}

export function closestPointOnLine(lng: unknown, lat: unknown, value: unknown): LngLat | undefined {
  const point = pointOf(lng, lat);
  const parsed = point && parseLines(value);
  return point && parsed && lngLatOf(closestOnLines(parsed.lines, point));
}

/** Where along the line (0 = start, 1 = end) its closest point to (lng, lat) lies. */
export function lineLocatePoint(value: unknown, lng: unknown, lat: unknown): number | undefined {
  const point = pointOf(lng, lat);
  const line = point && singleLine(value);
  if (!line || !point) {
    return undefined;
  }
  const [closest, next] = line.project(point);
  return line.uninterpolate(closest, next);
}

export function lineInterpolatePoint(value: unknown, fraction: unknown): LngLat | undefined {
  const line = singleLine(value);
  if (!line || typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
    return undefined;
  }
  return lngLatOf(line.interpolate(fraction)[0]);
}

export function polygonArea(value: unknown): number | undefined {
  const polygon = singlePolygon(value);
  return polygon && polygon.area() * EARTH_RADIUS_METERS * EARTH_RADIUS_METERS;
}

/** The length of every ring, holes included. */
export function polygonPerimeter(value: unknown): number | undefined {
  const polygon = singlePolygon(value);
  if (!polygon) {
    return undefined;
  }
  let radians = 0;
  for (let k = 0; k < polygon.numLoops(); k++) {
    const loop = polygon.loop(k);
    for (let i = 0; i < loop.numVertices(); i++) {
      radians += loop.vertex(i).distance(loop.vertex(i + 1));
    }
  }
  return radians * EARTH_RADIUS_METERS;
}

export function polygonCentroid(value: unknown): LngLat | undefined {
  const polygon = singlePolygon(value);
  return polygon && lngLatOf(polygon.centroid());
}

export function isPointInPolygon(lng: unknown, lat: unknown, value: unknown): boolean | undefined {
  const point = pointOf(lng, lat);
  const parsed = point && parsePolygons(value);
  return point && parsed && parsed.polygons.some((polygon) => polygon.containsPoint(point));
}

/** 0 inside, else the distance to the closest ring of any part. */
export function distanceToPolygon(lng: unknown, lat: unknown, value: unknown): number | undefined {
  const point = pointOf(lng, lat);
  const parsed = point && parsePolygons(value);
  if (!point || !parsed) {
    return undefined;
  }
  if (parsed.polygons.some((polygon) => polygon.containsPoint(point))) {
    return 0;
  }
  const rings = parsed.polygons.flatMap((polygon) =>
    Array.from({ length: polygon.numLoops() }, (_, k) => {
      const loop = polygon.loop(k);
      const vertices = Array.from({ length: loop.numVertices() + 1 }, (__, i) => loop.vertex(i));
      return new s2.Polyline(vertices);
    }),
  );
  return closestOnLines(rings, point).distance(point) * EARTH_RADIUS_METERS;
}
