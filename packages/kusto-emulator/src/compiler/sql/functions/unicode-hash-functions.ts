/**
 * Unicode code points, base64 byte arrays and GUIDs, and the cryptographic hashes of the KQL reference, as DuckDB
 * SQL. A datetime is hashed as its Kusto text form (2020-01-01T00:00:00.0000000Z), which is what ADX's documented
 * hash_md5/hash_sha1/hash_sha256 outputs are the digests of.
 */
import type { FunctionMapping } from '../function-map.js';

const scalar = (sql: string): FunctionMapping => ({ sql });

/** The longest argument list generated for variadic functions. */
const MAX_ARGUMENTS = 64;

export const UNICODE_HASH_MACROS: readonly string[] = [
  // The bytes of a blob as a list of 0..255 (DuckDB has no blob-to-list cast; hex text is the bridge).
  `CREATE OR REPLACE MACRO kql_blob_bytes(b) AS list_transform([hex(b)], h -> list_transform(range(length(h) // 2), i -> CAST(('0x' || substr(h, 2 * i + 1, 2)) AS BIGINT)))[1]`,
  `CREATE OR REPLACE MACRO kql_bytes_blob(l) AS (CASE WHEN list_bool_and(list_transform(l, x -> x BETWEEN 0 AND 255)) THEN unhex(array_to_string(list_transform(l, x -> printf('%02x', x)), '')) END)`,
  // Text that is not base64 (including unpadded text) decodes to nothing: null, as in ADX.
  `CREATE OR REPLACE MACRO kql_base64_bytes(s) AS kql_blob_bytes(try(from_base64(s)))`,
  // A GUID's 16 bytes in .NET order: the first three groups little-endian, the last two as written.
  `CREATE OR REPLACE MACRO kql_guid_from_hex(h) AS CAST(substr(h, 7, 2) || substr(h, 5, 2) || substr(h, 3, 2) || substr(h, 1, 2) || '-' || substr(h, 11, 2) || substr(h, 9, 2) || '-' || substr(h, 15, 2) || substr(h, 13, 2) || '-' || substr(h, 17, 4) || '-' || substr(h, 21, 12) AS UUID)`,
  `CREATE OR REPLACE MACRO kql_base64_guid(s) AS list_transform([try(from_base64(s))], b -> CASE WHEN octet_length(b) = 16 THEN kql_guid_from_hex(lower(hex(b))) END)[1]`,
  `CREATE OR REPLACE MACRO kql_guid_base64(g) AS list_transform([replace(CAST(g AS VARCHAR), '-', '')], h -> to_base64(unhex(substr(h, 7, 2) || substr(h, 5, 2) || substr(h, 3, 2) || substr(h, 1, 2) || substr(h, 11, 2) || substr(h, 9, 2) || substr(h, 15, 2) || substr(h, 13, 2) || substr(h, 17, 16))))[1]`,
  // Code points of an argument of unicode_codepoints_to_string: a number, or an array of numbers.
  `CREATE OR REPLACE MACRO kql_codepoints_of(d) AS (CASE WHEN json_type(d) = 'ARRAY' THEN list_transform(CAST(d AS JSON[]), x -> TRY_CAST(x AS BIGINT)) ELSE [TRY_CAST(d AS BIGINT)] END)`,
  `CREATE OR REPLACE MACRO kql_codepoints_string(l) AS array_to_string(list_transform(l, c -> chr(CAST(c AS INTEGER))), '')`,
];

/** `unicode_codepoints_to_string(a, b, …)`: each argument a long/int or a dynamic array of them. */
function codepointsToString(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  const types = ['long', 'int', 'dynamic'];
  const asList = (type: string, i: number): string =>
    type === 'dynamic' ? `kql_codepoints_of({${i}})` : `[CAST({${i}} AS BIGINT)]`;
  const add = (signature: string[]): void => {
    const lists = signature.map((t, i) => asList(t, i)).join(', ');
    out[`unicode_codepoints_to_string(${signature.join(',')})`] = scalar(
      `kql_codepoints_string(flatten([${lists}]))`,
    );
  };
  // Every mix of types up to three arguments; longer lists of plain numbers (or arrays) up to the maximum.
  const mixes = (n: number): string[][] =>
    n === 0 ? [[]] : mixes(n - 1).flatMap((prefix) => types.map((t) => [...prefix, t]));
  for (let n = 1; n <= 3; n++) {
    mixes(n).forEach(add);
  }
  for (let n = 4; n <= MAX_ARGUMENTS; n++) {
    for (const t of types) {
      add(Array.from({ length: n }, () => t));
    }
  }
  return out;
}

function digests(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const [name, fn] of [
    ['hash_md5', 'md5'],
    ['hash_sha1', 'sha1'],
    ['hash_sha256', 'sha256'],
  ]) {
    out[`${name}(string)`] = scalar(`${fn}({0})`);
    out[`${name}(datetime)`] = scalar(`${fn}(kql_datetime_string({0}))`);
  }
  return out;
}

/**
 * `hash()` / `hash_xxhash64()`: XXH64 through the JavaScript functions of js-scalar-functions.ts, for the input
 * types whose bytes the reference pins down (a string's UTF-8, a datetime's ticks). With `mod`, the hash is read
 * unsigned so that the result lies in 0..mod-1 as documented.
 */
function xxhash64(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  const inputs: Record<string, string> = {
    string: 'kql_xxhash64_string({0})',
    datetime: 'kql_xxhash64_long({0})',
  };
  for (const name of ['hash', 'hash_xxhash64']) {
    for (const [type, sql] of Object.entries(inputs)) {
      out[`${name}(${type})`] = scalar(sql);
      for (const mod of ['long', 'int']) {
        out[`${name}(${type},${mod})`] = scalar(
          `CAST((CAST(${sql} AS HUGEINT) + 18446744073709551616) % 18446744073709551616 % CAST({1} AS HUGEINT) AS BIGINT)`,
        );
      }
    }
  }
  return out;
}

export const UNICODE_HASH_FUNCTIONS: Readonly<Record<string, FunctionMapping>> = {
  ...codepointsToString(),
  ...digests(),
  ...xxhash64(),
  unicode_codepoints_from_string: scalar(
    "to_json(list_transform(string_split({0}, ''), c -> CAST(unicode(c) AS BIGINT)))",
  ),
  base64_decode_toarray: scalar('to_json(kql_base64_bytes({0}))'),
  base64_encode_fromarray: scalar(
    "(CASE WHEN json_type({0}) = 'ARRAY' THEN to_base64(kql_bytes_blob(list_transform(CAST({0} AS JSON[]), x -> TRY_CAST(x AS BIGINT)))) END)",
  ),
  base64_decode_toguid: scalar('kql_base64_guid({0})'),
  'base64_encode_fromguid(guid)': scalar('kql_guid_base64({0})'),
};
