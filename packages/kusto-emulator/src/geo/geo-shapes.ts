/**
 * GeoJSON lines and polygons (Kusto `dynamic` values) as S2 shapes (`s2js`). Edges are great-circle arcs, as in
 * ADX, which computes with S2. What is invalid for ADX gives `undefined` (the function returns null); what is
 * valid but could be read in more than one way throws GeoUnsupportedError.
 */
import { s2 } from 's2js';
import { isLatitude, isLongitude } from './geo-coordinates.js';
import { GeoUnsupportedError } from './geo-unsupported-error.js';

const HEMISPHERE_STERADIANS = 2 * Math.PI;
const HEMISPHERE_TOLERANCE = 1e-9;

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') {
    return undefined;
  }
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The parts of a single or multi geometry (`single` or `Multi${single}`): the one shape's coordinates, or each
 * member's; `undefined` when the value is not such a geometry or has no parts.
 */
function parts(value: unknown, single: string): { multi: boolean; members: unknown[] } | undefined {
  const parsed = parseJson(value);
  if (typeof parsed !== 'object' || parsed === null) {
    return undefined;
  }
  const { type, coordinates } = parsed as { type?: unknown; coordinates?: unknown };
  if ((type !== single && type !== `Multi${single}`) || !Array.isArray(coordinates)) {
    return undefined;
  }
  const multi = type !== single;
  const members: unknown[] = multi ? coordinates : [coordinates];
  return members.length > 0 ? { multi, members } : undefined;
}

function points(positions: unknown, minimum: number): s2.Point[] | undefined {
  if (!Array.isArray(positions)) {
    return undefined;
  }
  if (positions.some((p) => Array.isArray(p) && p.some((c) => Array.isArray(c)))) {
    // ADX reads some such inputs (the reference wraps a polygon's rings once more and gets an answer).
    throw new GeoUnsupportedError('with coordinates nested deeper than GeoJSON');
  }
  if (positions.length < minimum) {
    return undefined;
  }
  const out: s2.Point[] = [];
  for (const position of positions) {
    if (!Array.isArray(position) || position.length !== 2) {
      return undefined;
    }
    const [lng, lat] = position as unknown[];
    if (!isLongitude(lng) || !isLatitude(lat)) {
      return undefined;
    }
    out.push(s2.Point.fromLatLng(s2.LatLng.fromDegrees(lat, lng)));
  }
  return out;
}

/** Refuses an edge between antipodal points: infinitely many great circles join them. */
function assertDefinedEdges(vertices: readonly s2.Point[]): void {
  for (let i = 1; i < vertices.length; i++) {
    if (vertices[i - 1].distance(vertices[i]) >= Math.PI - 1e-12) {
      throw new GeoUnsupportedError('with an edge between antipodal points');
    }
  }
}

/**
 * Refuses rings that cross themselves or each other, or touch at a vertex (s2js's loop validation does not
 * look for crossings). Every pair of edges that are not neighbours on one ring is tested: quadratic in the
 * edges, paid once per distinct shape thanks to the memo below.
 */
function assertNoCrossings(loops: readonly s2.Loop[]): void {
  const edges = loops.flatMap((loop, ring) =>
    Array.from({ length: loop.numVertices() }, (_, i) => ({
      ring,
      i,
      n: loop.numVertices(),
      line: new s2.Polyline([loop.vertex(i), loop.vertex(i + 1)]),
    })),
  );
  for (let a = 0; a < edges.length; a++) {
    for (let b = a + 1; b < edges.length; b++) {
      const e = edges[a];
      const f = edges[b];
      const neighbours = e.ring === f.ring && ((f.i - e.i) % e.n === 1 || (e.i - f.i + e.n) % e.n === 1);
      if (!neighbours && e.line.intersects(f.line)) {
        throw new GeoUnsupportedError('with rings that cross or touch');
      }
    }
  }
}

/**
 * Remembers the last shape parsed from each kind of text. A query usually passes one constant shape to every row
 * (a polygon literal or parameter): parsing it and building its S2 index once instead of per row is what makes
 * geo_point_in_polygon over a million rows take seconds rather than minutes (bench/geo-functions.bench.ts).
 */
function lastShapeMemo<T>(parse: (text: unknown) => T): (text: unknown) => T {
  let lastText: unknown;
  let last: { value: T } | { error: unknown } | undefined;
  return (text) => {
    if (last === undefined || text !== lastText) {
      lastText = text;
      try {
        last = { value: parse(text) };
      } catch (error) {
        last = { error };
      }
    }
    if ('error' in last) {
      throw last.error;
    }
    return last.value;
  };
}

/** A LineString, or each line of a MultiLineString; `undefined` for an invalid line. */
export const parseLines = lastShapeMemo(linesOf);

/** A Polygon (shell and holes), or each polygon of a MultiPolygon; `undefined` for an invalid one. */
export const parsePolygons = lastShapeMemo(polygonsOf);

function linesOf(value: unknown): { multi: boolean; lines: s2.Polyline[] } | undefined {
  const shape = parts(value, 'LineString');
  if (!shape) {
    return undefined;
  }
  const lines: s2.Polyline[] = [];
  for (const chain of shape.members) {
    const vertices = points(chain, 2);
    if (!vertices) {
      return undefined;
    }
    assertDefinedEdges(vertices);
    lines.push(new s2.Polyline(vertices));
  }
  return { multi: shape.multi, lines };
}

/**
 * A ring as the smaller of the two regions it divides the sphere into, whatever its orientation: ADX reads
 * rings that way (the reference's examples give clockwise shells and counter-clockwise holes and get the
 * smaller regions). A ring halving the sphere has no smaller side.
 */
function loopOf(ring: unknown): s2.Loop | undefined {
  const vertices = points(ring, 4);
  if (!vertices || !vertices[0].equals(vertices[vertices.length - 1])) {
    return undefined;
  }
  vertices.pop();
  const distinct = new Set(vertices.map((p) => `${p.x},${p.y},${p.z}`));
  if (distinct.size < 3) {
    return undefined;
  }
  assertDefinedEdges([...vertices, vertices[0]]);
  const loop = new s2.Loop(vertices);
  if (loop.validate() !== null) {
    throw new GeoUnsupportedError('with a ring that repeats a vertex');
  }
  loop.normalize();
  if (Math.abs(loop.area() - HEMISPHERE_STERADIANS) < HEMISPHERE_TOLERANCE) {
    throw new GeoUnsupportedError('with a ring that halves the sphere');
  }
  return loop;
}

function polygonsOf(value: unknown): { multi: boolean; polygons: s2.Polygon[] } | undefined {
  const shape = parts(value, 'Polygon');
  if (!shape) {
    return undefined;
  }
  const polygons: s2.Polygon[] = [];
  for (const rings of shape.members) {
    if (!Array.isArray(rings) || rings.length === 0) {
      return undefined;
    }
    const loops: s2.Loop[] = [];
    for (const ring of rings) {
      const loop = loopOf(ring);
      if (!loop) {
        return undefined;
      }
      loops.push(loop);
    }
    assertNoCrossings(loops);
    // S2 works out which loops are holes of which from their nesting.
    const polygon = new s2.Polygon(loops);
    if (polygon.validate() !== null) {
      throw new GeoUnsupportedError('with holes outside their shell');
    }
    polygons.push(polygon);
  }
  return { multi: shape.multi, polygons };
}
