/**
 * Thrown while computing a geospatial function for an input whose ADX answer the engine cannot be sure to
 * reproduce (a MultiPolygon union, a shell wider than a hemisphere…). The query fails with the engine's
 * "not supported" message instead of answering differently from ADX. `what` completes "geo_x() …".
 */
export class GeoUnsupportedError extends Error {
  constructor(readonly what: string) {
    super(what);
    this.name = 'GeoUnsupportedError';
  }
}
