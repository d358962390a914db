/**
 * geo_line_densify and geo_polygon_densify over GeoJSON values: the shape is validated as every other line or
 * polygon function validates it (geo-shapes.ts: invalid gives null, ambiguous is refused), then each chain of its
 * coordinates, as written, is densified (plate-carree-tessellator.ts). The output keeps the input's type
 * (LineString or MultiLineString, Polygon or MultiPolygon) and its vertex order.
 */
import type { LngLat } from './geo-coordinates.js';
import { parseLines, parsePolygons } from './geo-shapes.js';
import { PlateCarreeTessellator } from './plate-carree-tessellator.js';

export const DEFAULT_DENSIFY_TOLERANCE_METERS = 10;
const MIN_TOLERANCE_METERS = 0.1;
const MAX_TOLERANCE_METERS = 10_000;

interface GeoJsonShape {
  readonly type: string;
  readonly coordinates: unknown;
}

function tessellator(tolerance: unknown): PlateCarreeTessellator | undefined {
  return typeof tolerance === 'number' &&
    tolerance >= MIN_TOLERANCE_METERS &&
    tolerance <= MAX_TOLERANCE_METERS
    ? new PlateCarreeTessellator(tolerance)
    : undefined;
}

/** The GeoJSON text once validated: its coordinates are then known to be chains of [lng, lat] pairs. */
const shapeOf = (value: unknown): GeoJsonShape => JSON.parse(value as string) as GeoJsonShape;

export function densifyLines(value: unknown, tolerance: unknown): string | undefined {
  const t = tessellator(tolerance);
  if (!t || !parseLines(value)) {
    return undefined;
  }
  const { type, coordinates } = shapeOf(value);
  const densify = (chain: LngLat[]): LngLat[] => t.densify(chain);
  return JSON.stringify({
    type,
    coordinates:
      type === 'LineString' ? densify(coordinates as LngLat[]) : (coordinates as LngLat[][]).map(densify),
  });
}

export function densifyPolygons(value: unknown, tolerance: unknown): string | undefined {
  const t = tessellator(tolerance);
  if (!t || !parsePolygons(value)) {
    return undefined;
  }
  const { type, coordinates } = shapeOf(value);
  const densify = (rings: LngLat[][]): LngLat[][] => rings.map((ring) => t.densify(ring));
  return JSON.stringify({
    type,
    coordinates:
      type === 'Polygon' ? densify(coordinates as LngLat[][]) : (coordinates as LngLat[][][]).map(densify),
  });
}
