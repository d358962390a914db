/**
 * Kusto's S2 cell functions over `s2js`, a port of Google's S2 geometry library whose cell ids and tokens are
 * Google's own. Kusto levels run 0..30; an invalid point or level gives an empty token, an invalid token null.
 */
import { s2 } from 's2js';
import { isIntegerIn, isLatitude, isLongitude, type LngLat } from './geo-coordinates.js';

const MAX_LEVEL = 30;
export const S2_DEFAULT_LEVEL = 11;
const DEGREES = 180 / Math.PI;

export function s2CellOfPoint(lng: unknown, lat: unknown, level: unknown): string {
  if (!isLongitude(lng) || !isLatitude(lat) || !isIntegerIn(level, 0, MAX_LEVEL)) {
    return '';
  }
  const leaf = s2.cellid.fromLatLng(s2.LatLng.fromDegrees(lat, lng));
  return s2.cellid.toToken(s2.cellid.parent(leaf, level));
}

function cellOfToken(token: unknown): bigint | undefined {
  // Like S2's own S2CellId::FromToken: 1 to 16 hex digits of either case.
  if (typeof token !== 'string' || !/^[0-9a-f]{1,16}$/i.test(token)) {
    return undefined;
  }
  const id = s2.cellid.fromToken(token.toLowerCase());
  return s2.cellid.valid(id) ? id : undefined;
}

function lngLatOf(point: s2.Point): LngLat {
  const ll = s2.LatLng.fromPoint(point);
  return [ll.lng * DEGREES, ll.lat * DEGREES];
}

export function s2CellCenter(token: unknown): LngLat | undefined {
  const id = cellOfToken(token);
  return id === undefined ? undefined : lngLatOf(s2.cellid.point(id));
}

/** The cell's four vertices in S2's counter-clockwise order from vertex 0, closed. */
export function s2CellRing(token: unknown): LngLat[] | undefined {
  const id = cellOfToken(token);
  if (id === undefined) {
    return undefined;
  }
  const cell = s2.Cell.fromCellID(id);
  const ring = [0, 1, 2, 3].map((k) => lngLatOf(cell.vertex(k)));
  return [...ring, ring[0]];
}
