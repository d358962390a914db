/**
 * The implementations of the geospatial functions declared in geo-functions.ts, run by DuckDB as JavaScript
 * scalar functions. Only the storage layer loads this file (on a database's first query), so the compiler never
 * loads the geometry libraries.
 */
import { decodeGeohash, encodeGeohash, geohashCenter, geohashRing } from '../../../geo/geohash-codec.js';
import { pointJson, polygonJson, type LngLat } from '../../../geo/geo-coordinates.js';
import {
  H3_DEFAULT_RESOLUTION,
  h3CellCenter,
  h3CellChildren,
  h3CellLevel,
  h3CellNeighbors,
  h3CellOfPoint,
  h3CellParent,
  h3CellRing,
  h3CellRings,
} from '../../../geo/h3-cells.js';
import { S2_DEFAULT_LEVEL, s2CellCenter, s2CellOfPoint, s2CellRing } from '../../../geo/s2-cells.js';
import { GeoUnsupportedError } from '../../../geo/geo-unsupported-error.js';
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
} from '../../../geo/s2-measures.js';
import {
  DEFAULT_DENSIFY_TOLERANCE_METERS,
  densifyLines,
  densifyPolygons,
} from '../../../geo/shape-densifier.js';
import { isPointInCircle, sphereDistance } from '../../../geo/sphere-distance.js';
import { GEO_FUNCTION_RESULTS, type GeoFunctionName } from './geo-functions.js';
import {
  JS_RETURN_TYPES,
  jsSqlName,
  JsScalarUnsupportedError,
  type JsScalarArgument,
  type JsScalarFunction,
  type JsScalarResult,
} from './js-scalar-function.js';

const GEOHASH_DEFAULT_LENGTH = 5;

type GeoCall = (args: readonly JsScalarArgument[]) => JsScalarResult;

/** An optional argument: `undefined` when the call leaves it out, so that an explicit null stays invalid. */
const optional = (
  args: readonly JsScalarArgument[],
  index: number,
  fallback?: number,
): JsScalarArgument | undefined => (index < args.length ? args[index] : fallback);

const json = <T>(value: T | undefined, format: (v: T) => string): string | null =>
  value === undefined ? null : format(value);

const point = (p: LngLat | undefined): string | null => json(p, pointJson);
const polygon = (ring: LngLat[] | undefined): string | null => json(ring, polygonJson);
const array = (value: unknown[] | undefined): string | null => json(value, JSON.stringify);

/** Typed by name: a function declared in geo-functions.ts does not compile without its implementation. */
const GEO_CALLS: Readonly<Record<GeoFunctionName, GeoCall>> = {
  geo_point_to_geohash: (a) => encodeGeohash(a[0], a[1], optional(a, 2, GEOHASH_DEFAULT_LENGTH)) ?? '',
  geo_geohash_to_central_point: (a) => {
    const box = decodeGeohash(a[0]);
    return point(box && geohashCenter(box));
  },
  geo_geohash_to_polygon: (a) => {
    const box = decodeGeohash(a[0]);
    return polygon(box && geohashRing(box));
  },
  geo_point_to_h3cell: (a) => h3CellOfPoint(a[0], a[1], optional(a, 2, H3_DEFAULT_RESOLUTION)),
  geo_h3cell_to_central_point: (a) => point(h3CellCenter(a[0])),
  geo_h3cell_to_polygon: (a) => polygon(h3CellRing(a[0])),
  geo_h3cell_level: (a) => h3CellLevel(a[0]) ?? null,
  geo_h3cell_parent: (a) => h3CellParent(a[0], optional(a, 1)),
  geo_h3cell_children: (a) => array(h3CellChildren(a[0], optional(a, 1))),
  geo_h3cell_neighbors: (a) => array(h3CellNeighbors(a[0])),
  geo_h3cell_rings: (a) => array(h3CellRings(a[0], a[1])),
  geo_point_to_s2cell: (a) => s2CellOfPoint(a[0], a[1], optional(a, 2, S2_DEFAULT_LEVEL)),
  geo_s2cell_to_central_point: (a) => point(s2CellCenter(a[0])),
  geo_s2cell_to_polygon: (a) => polygon(s2CellRing(a[0])),
  geo_distance_2points: (a) => sphereDistance(a[0], a[1], a[2], a[3]) ?? null,
  geo_point_in_circle: (a) => isPointInCircle(a[0], a[1], a[2], a[3], a[4]) ?? null,
  geo_line_length: (a) => lineLength(a[0]) ?? null,
  geo_line_centroid: (a) => point(lineCentroid(a[0])),
  geo_distance_point_to_line: (a) => distanceToLine(a[0], a[1], a[2]) ?? null,
  geo_closest_point_on_line: (a) => point(closestPointOnLine(a[0], a[1], a[2])),
  geo_line_locate_point: (a) => lineLocatePoint(a[0], a[1], a[2]) ?? null,
  geo_line_interpolate_point: (a) => point(lineInterpolatePoint(a[0], a[1])),
  geo_polygon_area: (a) => polygonArea(a[0]) ?? null,
  geo_polygon_perimeter: (a) => polygonPerimeter(a[0]) ?? null,
  geo_polygon_centroid: (a) => point(polygonCentroid(a[0])),
  geo_point_in_polygon: (a) => isPointInPolygon(a[0], a[1], a[2]) ?? null,
  geo_distance_point_to_polygon: (a) => distanceToPolygon(a[0], a[1], a[2]) ?? null,
  geo_line_densify: (a) => densifyLines(a[0], optional(a, 1, DEFAULT_DENSIFY_TOLERANCE_METERS)) ?? null,
  geo_polygon_densify: (a) => densifyPolygons(a[0], optional(a, 1, DEFAULT_DENSIFY_TOLERANCE_METERS)) ?? null,
};

/** An input the function cannot answer as ADX does fails the query with the engine's usual refusal. */
function refusingAmbiguity(name: string, call: GeoCall): GeoCall {
  return (args) => {
    try {
      return call(args);
    } catch (error) {
      if (error instanceof GeoUnsupportedError) {
        throw new JsScalarUnsupportedError(`${name}() ${error.what} is not supported by the embedded engine`);
      }
      throw error;
    }
  };
}

export const GEO_JS_FUNCTIONS: readonly JsScalarFunction[] = Object.entries(GEO_CALLS).map(
  ([name, call]) => ({
    name: jsSqlName(name),
    returns: JS_RETURN_TYPES[GEO_FUNCTION_RESULTS[name as GeoFunctionName]],
    call: refusingAmbiguity(name, call),
  }),
);
