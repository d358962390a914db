/**
 * Kusto's geospatial functions the engine runs: geohash, H3 and S2 cells, great-circle distances, and lengths,
 * areas, centroids, distances and containment of GeoJSON lines and polygons. Each is a
 * JavaScript scalar function (implemented in geo-js-functions.ts over src/geo, registered by the storage layer);
 * this file declares their names and Kusto result types for the compiler, which never loads the geometry
 * libraries. Spread into the function map with one line.
 *
 * Left out on purpose, so that they keep failing with the engine's "not supported" error rather than answer
 * differently from ADX:
 *   - geo_geohash_neighbors and geo_s2cell_neighbors: ADX lists the neighbours in an order that is neither the
 *     libraries' traversal order nor any geometric order (the reference's examples for `sunny` and `89c259`),
 *     and an array compares by order;
 *   - geometry that builds new shapes (buffers, unions, intersections, simplification, coverings
 *     by cells): their output depends on S2 builder and coverer details the reference does not pin down.
 * Inputs a function cannot be sure to answer as ADX does (a MultiPolygon area, which ADX takes over the union;
 * a ring that halves the sphere…) fail at run time with the same "not supported" message (src/geo/geo-shapes.ts).
 */
import type { FunctionMapping } from '../function-map.js';
import { jsFunctionMap, type KustoResult } from './js-scalar-function.js';

export const GEO_FUNCTION_RESULTS = {
  geo_point_to_geohash: 'string',
  geo_geohash_to_central_point: 'dynamic',
  geo_geohash_to_polygon: 'dynamic',
  geo_point_to_h3cell: 'string',
  geo_h3cell_to_central_point: 'dynamic',
  geo_h3cell_to_polygon: 'dynamic',
  geo_h3cell_level: 'int',
  geo_h3cell_parent: 'string',
  geo_h3cell_children: 'dynamic',
  geo_h3cell_neighbors: 'dynamic',
  geo_h3cell_rings: 'dynamic',
  geo_point_to_s2cell: 'string',
  geo_s2cell_to_central_point: 'dynamic',
  geo_s2cell_to_polygon: 'dynamic',
  geo_distance_2points: 'real',
  geo_point_in_circle: 'bool',
  geo_line_length: 'real',
  geo_line_centroid: 'dynamic',
  geo_distance_point_to_line: 'real',
  geo_closest_point_on_line: 'dynamic',
  geo_line_locate_point: 'real',
  geo_line_interpolate_point: 'dynamic',
  geo_polygon_area: 'real',
  geo_polygon_perimeter: 'real',
  geo_polygon_centroid: 'dynamic',
  geo_point_in_polygon: 'bool',
  geo_distance_point_to_polygon: 'real',
  geo_line_densify: 'dynamic',
  geo_polygon_densify: 'dynamic',
} as const satisfies Record<string, KustoResult>;

export type GeoFunctionName = keyof typeof GEO_FUNCTION_RESULTS;

export const GEO_FUNCTION_MAP: Readonly<Record<string, FunctionMapping>> =
  jsFunctionMap(GEO_FUNCTION_RESULTS);
