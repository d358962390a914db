/**
 * geo_line_densify / geo_polygon_densify: a GeoJSON edge is a straight line in longitude/latitude (plate carrée),
 * ADX's edges are geodesics; densifying adds points along the planar edge until the geodesic between each pair of
 * neighbours stays within `tolerance` meters of it. This is S2's `S2EdgeTessellator::AppendUnprojected` (ADX
 * computes with S2): the error is measured at two points a fixed fraction from either end and compared with a
 * scaled tolerance, and an edge above it is halved in the plane, recursively. The reference's example
 * ([50,50]→[51,51] at 10 m gives eight equal planar steps) is reproduced exactly because the added points are the
 * planar midpoints, never points converted back from the sphere.
 */
import type { LngLat } from './geo-coordinates.js';
import { GeoUnsupportedError } from './geo-unsupported-error.js';
import { EARTH_RADIUS_METERS } from './sphere-distance.js';

/** Where S2 evaluates both edges (t and 1 − t), and the factor its tolerance is scaled by (s2edge_tessellator.cc). */
const INTERPOLATION_FRACTION = 0.31215691082248315;
const SCALE_FACTOR = 0.8382999256988851;
/** ADX's documented limit on the points of a densified shape. */
export const MAX_DENSIFIED_POINTS = 10_485_760;

type Vector = readonly [number, number, number];

const RADIANS = Math.PI / 180;

function unproject([lng, lat]: LngLat): Vector {
  const phi = lat * RADIANS;
  const theta = lng * RADIANS;
  const c = Math.cos(phi);
  return [Math.cos(theta) * c, Math.sin(theta) * c, Math.sin(phi)];
}

const dot = (a: Vector, b: Vector): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vector, b: Vector): Vector => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const normalize = (a: Vector): Vector => {
  const n = Math.sqrt(dot(a, a));
  return n === 0 ? a : [a[0] / n, a[1] / n, a[2] / n];
};
const chord2 = (a: Vector, b: Vector): number => {
  const d: Vector = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  return Math.min(4, dot(d, d));
};

/** The point a fraction `t` of the way along the geodesic from `a` to `b` (S2::Interpolate). */
function interpolateGeodesic(a: Vector, b: Vector, t: number): Vector {
  const angle = Math.atan2(Math.sqrt(dot(cross(a, b), cross(a, b))), dot(a, b));
  const direction = normalize(cross(cross(a, b), a));
  const ax = t * angle;
  return normalize([
    Math.cos(ax) * a[0] + Math.sin(ax) * direction[0],
    Math.cos(ax) * a[1] + Math.sin(ax) * direction[1],
    Math.cos(ax) * a[2] + Math.sin(ax) * direction[2],
  ]);
}

const interpolatePlanar = ([x1, y1]: LngLat, [x2, y2]: LngLat, t: number): LngLat => [
  (1 - t) * x1 + t * x2,
  (1 - t) * y1 + t * y2,
];

export class PlateCarreeTessellator {
  /** The scaled tolerance as a squared chord length, as S2 compares it. */
  private readonly tolerance: number;

  constructor(toleranceMeters: number) {
    const angle = Math.min(Math.PI, (SCALE_FACTOR * toleranceMeters) / EARTH_RADIUS_METERS);
    const chord = 2 * Math.sin(angle / 2);
    this.tolerance = Math.min(4, chord * chord);
  }

  /** The chain with points added to each edge; an edge across the antimeridian is refused. */
  densify(chain: readonly LngLat[]): LngLat[] {
    const out: LngLat[] = [chain[0]];
    for (let i = 1; i < chain.length; i++) {
      const pa = chain[i - 1];
      const pb = chain[i];
      if (Math.abs(pb[0] - pa[0]) >= 180) {
        throw new GeoUnsupportedError('with an edge across the antimeridian');
      }
      this.append(pa, unproject(pa), pb, unproject(pb), out);
    }
    return out;
  }

  private append(pa: LngLat, a: Vector, pb: LngLat, b: Vector, out: LngLat[]): void {
    if (this.maxError(pa, a, pb, b) <= this.tolerance) {
      if (out.length >= MAX_DENSIFIED_POINTS) {
        throw new GeoUnsupportedError(`densified beyond ${MAX_DENSIFIED_POINTS} points`);
      }
      out.push(pb);
      return;
    }
    const pmid = interpolatePlanar(pa, pb, 0.5);
    const mid = unproject(pmid);
    this.append(pa, a, pmid, mid, out);
    this.append(pmid, mid, pb, b, out);
  }

  private maxError(pa: LngLat, a: Vector, pb: LngLat, b: Vector): number {
    // S2 always splits an edge longer than 90 degrees: the estimate is not reliable there.
    if (dot(a, b) < -1e-14) {
      return Infinity;
    }
    const t1 = INTERPOLATION_FRACTION;
    const t2 = 1 - INTERPOLATION_FRACTION;
    return Math.max(
      chord2(interpolateGeodesic(a, b, t1), unproject(interpolatePlanar(pa, pb, t1))),
      chord2(interpolateGeodesic(a, b, t2), unproject(interpolatePlanar(pa, pb, t2))),
    );
  }
}
