/**
 * Geospatial functions (JavaScript scalar functions inside DuckDB) through the real azure-kusto-data client:
 * result types, per-row results over several DuckDB vectors, nulls and invalid input, dynamic results used as
 * dynamic values, and the clear refusal of what the engine does not match. Expected values are the KQL
 * reference's documented outputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kustoError, startEngineHarness, type EngineHarness } from './kusto-engine-harness.js';

describe('geospatial functions', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngineHarness();
  });

  afterAll(async () => {
    await h.stop();
  });

  async function rows(query: string): Promise<{ columns: string[][]; rows: unknown[] }> {
    const table = (await h.client.execute('analytics', query)).primaryResults[0];
    return {
      columns: table.columns.map((c) => [c.name ?? '', c.type ?? '']),
      rows: [...table.rows()].map((row) => row.toJSON()),
    };
  }

  it('should index points as H3 cells, with an empty token for an invalid point', async () => {
    const result = await rows(
      'datatable(lng:real, lat:real) [-74.04450446039874, 40.689250859314974, 300, 1]' +
        ' | project h3 = geo_point_to_h3cell(lng, lat, 6)',
    );
    expect(result.columns).toEqual([['h3', 'string']]);
    expect(result.rows).toEqual([{ h3: '862a1072fffffff' }, { h3: '' }]);
  });

  it('should index points as S2 cells and geohashes, with an empty token for an invalid point', async () => {
    const result = await rows(
      'datatable(lng:real, lat:real) [-80.195829, 25.802215, 300, 1]' +
        ' | project s2 = geo_point_to_s2cell(lng, lat, 8), gh = geo_point_to_geohash(lng, lat, 8)',
    );
    expect(result.columns).toEqual([
      ['s2', 'string'],
      ['gh', 'string'],
    ]);
    expect(result.rows).toEqual([
      { s2: '88d9b', gh: 'dhwfz15h' },
      { s2: '', gh: '' },
    ]);
  });

  it('should return cell geometry as dynamic GeoJSON that queries can navigate', async () => {
    const result = await rows(
      "print p = geo_h3cell_to_central_point('862a1072fffffff'), box = geo_geohash_to_polygon('dr5ru')" +
        " | extend lng = todouble(p.coordinates[0]), level = geo_h3cell_level(geo_h3cell_parent('862a1072fffffff', 1))",
    );
    expect(result.columns).toEqual([
      ['p', 'dynamic'],
      ['box', 'dynamic'],
      ['lng', 'real'],
      ['level', 'int'],
    ]);
    expect(result.rows).toEqual([
      {
        p: { type: 'Point', coordinates: [-74.01600847979245, expect.closeTo(40.7041679083504, 12)] },
        box: {
          type: 'Polygon',
          coordinates: [
            [
              [-74.00390625, 40.7373046875],
              [-73.9599609375, 40.7373046875],
              [-73.9599609375, 40.78125],
              [-74.00390625, 40.78125],
              [-74.00390625, 40.7373046875],
            ],
          ],
        },
        lng: -74.01600847979245,
        level: 1,
      },
    ]);
  });

  it('should measure distances on the sphere and give null for invalid input', async () => {
    const result = await rows(
      'print d = geo_distance_2points(-122.407628, 47.578557, -118.275287, 34.019056),' +
        ' inside = geo_point_in_circle(-122.143564, 47.535677, -122.100896, 47.527351, 3500),' +
        ' bad = geo_distance_2points(300, 1, 1, 1), badRadius = geo_point_in_circle(1, 1, 1, 1, -1),' +
        " noCell = isnull(geo_h3cell_children('abc')), noLevel = geo_point_to_h3cell(1, 1, int(null))",
    );
    expect(result.columns.map(([, type]) => type)).toEqual([
      'real',
      'bool',
      'real',
      'bool',
      'bool',
      'string',
    ]);
    const [row] = result.rows as Record<string, unknown>[];
    expect(row.d as number).toBeCloseTo(1546754.35197381, 6);
    expect(row).toMatchObject({ inside: true, bad: null, badRadius: null, noCell: true, noLevel: '' });
  });

  it('should compute every row of a multi-vector input', async () => {
    const result = await rows(
      'range i from 0 to 4999 step 1 | extend c = geo_point_to_geohash(i * 0.01, 0.0, 6)' +
        ' | summarize n = countif(strlen(c) == 6)',
    );
    expect(result.rows).toEqual([{ n: 5000 }]);
  });

  it('should measure polygons and lines on the sphere, row by row', async () => {
    const result = await rows(
      'let park = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});' +
        ' datatable(lng:real, lat:real) [-73.9839, 40.7705, -73.965, 40.782]' +
        ' | project inside = geo_point_in_polygon(lng, lat, park), distance = geo_distance_point_to_polygon(lng, lat, park), area = geo_polygon_area(park)',
    );
    expect(result.columns.map(([, type]) => type)).toEqual(['bool', 'real', 'real']);
    expect(result.rows).toEqual([
      {
        inside: false,
        distance: expect.closeTo(259.940756070596, 8),
        area: expect.closeTo(3475207.28346606, 5),
      },
      { inside: true, distance: 0, area: expect.closeTo(3475207.28346606, 5) },
    ]);
  });

  it('should refuse at run time an input whose answer it cannot be sure of', async () => {
    const error = await kustoError(
      h.client.execute(
        'analytics',
        'print geo_polygon_area(dynamic({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}))',
      ),
    );
    expect(error.message).toBe(
      'geo_polygon_area() of a MultiPolygon with several polygons is not supported by the embedded engine',
    );
  });

  it('should refuse a geospatial function whose answers it cannot match', async () => {
    const error = await kustoError(h.client.execute('analytics', "print geo_geohash_neighbors('sunny')"));
    expect(error.message).toBe(
      'function geo_geohash_neighbors() is not supported by the embedded engine (at 1:7)',
    );
  });
});
