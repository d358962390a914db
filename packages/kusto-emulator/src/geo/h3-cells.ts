/**
 * Kusto's H3 functions over Uber's own library (`h3-js`, the H3 C library compiled to JavaScript), with Kusto's
 * argument ranges and its answers to invalid input: an empty string for a cell token, null otherwise.
 */
import * as h3 from 'h3-js';
import { isIntegerIn, isLatitude, isLongitude, type LngLat } from './geo-coordinates.js';

const MAX_RESOLUTION = 15;
/** Kusto refuses children more than 5 levels down (up to 16 807 tokens). */
const MAX_CHILDREN_LEVELS = 5;
const MAX_RING_DISTANCE = 142;
export const H3_DEFAULT_RESOLUTION = 6;

function validCell(cell: unknown): cell is string {
  return typeof cell === 'string' && h3.isValidCell(cell);
}

export function h3CellOfPoint(lng: unknown, lat: unknown, resolution: unknown): string {
  if (!isLongitude(lng) || !isLatitude(lat) || !isIntegerIn(resolution, 0, MAX_RESOLUTION)) {
    return '';
  }
  return h3.latLngToCell(lat, lng, resolution);
}

export function h3CellCenter(cell: unknown): LngLat | undefined {
  if (!validCell(cell)) {
    return undefined;
  }
  const [lat, lng] = h3.cellToLatLng(cell);
  return [lng, lat];
}

/** The cell's boundary as a closed GeoJSON ring, longitude first. */
export function h3CellRing(cell: unknown): LngLat[] | undefined {
  return validCell(cell) ? h3.cellToBoundary(cell, true).map(([lng, lat]): LngLat => [lng, lat]) : undefined;
}

export function h3CellLevel(cell: unknown): number | undefined {
  return validCell(cell) ? h3.getResolution(cell) : undefined;
}

/** `resolution` omitted (undefined) means the immediate parent; null is an invalid resolution. */
export function h3CellParent(cell: unknown, resolution: unknown): string {
  if (!validCell(cell)) {
    return '';
  }
  const level = h3.getResolution(cell);
  const target = resolution === undefined ? level - 1 : resolution;
  if (!isIntegerIn(target, 0, level)) {
    return '';
  }
  return h3.cellToParent(cell, target);
}

/** `resolution` omitted (undefined) means the immediate children; null is an invalid resolution. */
export function h3CellChildren(cell: unknown, resolution: unknown): string[] | undefined {
  if (!validCell(cell)) {
    return undefined;
  }
  const level = h3.getResolution(cell);
  const target = resolution === undefined ? level + 1 : resolution;
  if (!isIntegerIn(target, level, Math.min(MAX_RESOLUTION, level + MAX_CHILDREN_LEVELS))) {
    return undefined;
  }
  return h3.cellToChildren(cell, target);
}

/** The cells around `cell`, in the library's traversal order (the order Kusto returns). */
export function h3CellNeighbors(cell: unknown): string[] | undefined {
  return validCell(cell) ? h3.gridDisk(cell, 1).filter((c) => c !== cell) : undefined;
}

/** Ring 0 (the cell), ring 1 (its neighbours)… up to `distance`. */
export function h3CellRings(cell: unknown, distance: unknown): string[][] | undefined {
  if (!validCell(cell) || !isIntegerIn(distance, 0, MAX_RING_DISTANCE)) {
    return undefined;
  }
  return h3.gridDiskDistances(cell, distance);
}
