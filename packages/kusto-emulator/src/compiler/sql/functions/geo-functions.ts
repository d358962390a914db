/**
 * Kusto's geospatial functions the engine runs: geohash, H3 and S2 cells, and great-circle distances. Each is a
 * JavaScript scalar function (implemented in geo-js-functions.ts over src/geo, registered by the storage layer);
 * this file declares their names and Kusto result types for the compiler, which never loads the geometry
 * libraries. Spread into the function map with one line.
 *
 * Left out on purpose, so that they keep failing with the engine's "not supported" error rather than answer
 * differently from ADX:
 *   - geo_geohash_neighbors and geo_s2cell_neighbors: ADX lists the neighbours in an order that is neither the
 *     libraries' traversal order nor any geometric order (the reference's examples for `sunny` and `89c259`),
 *     and an array compares by order;
 *   - polygon, line and WKT geometry (area, buffers, unions, simplification, containment…): ADX computes them
 *     with S2's exact spherical predicates, which no maintained JavaScript library reproduces digit for digit.
 */
import type { FunctionMapping } from '../function-map.js';

export type KustoResult = 'string' | 'int' | 'real' | 'bool' | 'dynamic';

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
} as const satisfies Record<string, KustoResult>;

export type GeoFunctionName = keyof typeof GEO_FUNCTION_RESULTS;

/** The SQL name DuckDB knows the function by. */
export const geoSqlName = (kqlName: string): string => `kql_${kqlName}`;

export const GEO_FUNCTION_MAP: Readonly<Record<string, FunctionMapping>> = Object.fromEntries(
  Object.entries(GEO_FUNCTION_RESULTS).map(([name, result]) => [
    name,
    // Dynamic results come back as JSON text, cast to the JSON type dynamic values have.
    { sql: result === 'dynamic' ? `CAST(${geoSqlName(name)}({*}) AS JSON)` : `${geoSqlName(name)}({*})` },
  ]),
);
