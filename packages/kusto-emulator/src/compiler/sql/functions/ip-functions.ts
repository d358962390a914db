/**
 * IPv4 and IPv6 functions of the KQL reference as DuckDB SQL macros.
 *
 * An IPv4 address is a BIGINT (0..2^32-1) with its prefix length (32 unless the text says `/n`); an IPv6 address is
 * a list of eight 16-bit groups with its prefix length (128 unless `/n`), so masking and comparing are small-integer
 * arithmetic and lexicographic list comparison (DuckDB's 128-bit integers refuse shifts that overflow). IPv4 text
 * given to an IPv6 function is the mapped address ::ffff:a.b.c.d with its prefix counted from bit 96, as in ADX.
 * Text that is not an address gives null (booleans: null; formatting: the empty string), as in ADX.
 */
import type { FunctionMapping } from '../function-map.js';

const scalar = (sql: string): FunctionMapping => ({ sql });

const INTEGRAL = ['long', 'int'] as const;

/** Dotted quad with an optional prefix; the groups are checked against 255/32 by the macros. */
const IPV4_TEXT = String.raw`'^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,2}))?$'`;
const IPV4_TOKEN = String.raw`'^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$'`;
/** `a.b.c.d`, `::a.b.c.d` or `::ffff:a.b.c.d` (any case), with an optional prefix: IPv4 notation for IPv6 functions. */
const IPV4_IN_IPV6 = String.raw`'^(?:::(?:[fF]{4}:)?)?(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:/\d{1,3})?)$'`;
const HEX_GROUP = String.raw`'^[0-9A-Fa-f]{1,4}$'`;

export const IP_MACROS: readonly string[] = [
  // ── IPv4 ──
  `CREATE OR REPLACE MACRO kql_ipv4_groups(s) AS list_transform([regexp_extract(s, ${IPV4_TEXT}, ['a', 'b', 'c', 'd', 'p'])], g -> CASE WHEN regexp_matches(s, ${IPV4_TEXT}) AND CAST(g.a AS BIGINT) <= 255 AND CAST(g.b AS BIGINT) <= 255 AND CAST(g.c AS BIGINT) <= 255 AND CAST(g.d AS BIGINT) <= 255 AND (g.p = '' OR CAST(g.p AS BIGINT) <= 32) THEN {'v': CAST(g.a AS BIGINT) * 16777216 + CAST(g.b AS BIGINT) * 65536 + CAST(g.c AS BIGINT) * 256 + CAST(g.d AS BIGINT), 'p': CASE WHEN g.p = '' THEN 32 ELSE CAST(g.p AS BIGINT) END} END)[1]`,
  `CREATE OR REPLACE MACRO kql_ipv4_mask(bits) AS (CASE WHEN bits <= 0 THEN 0 ELSE 4294967296 - (CAST(1 AS BIGINT) << CAST(32 - least(bits, 32) AS BIGINT)) END)`,
  `CREATE OR REPLACE MACRO kql_ipv4_masked(ip, bits) AS (ip.v & kql_ipv4_mask(least(ip.p, bits)))`,
  `CREATE OR REPLACE MACRO kql_ipv4_text(v) AS (CAST(v >> 24 AS VARCHAR) || '.' || CAST((v >> 16) & 255 AS VARCHAR) || '.' || CAST((v >> 8) & 255 AS VARCHAR) || '.' || CAST(v & 255 AS VARCHAR))`,
  `CREATE OR REPLACE MACRO kql_ipv4_compare(a, b, bits) AS list_transform([kql_ipv4_groups(a)], x -> list_transform([kql_ipv4_groups(b)], y -> list_transform([least(x.p, y.p, bits)], p -> CAST(sign(kql_ipv4_masked(x, p) - kql_ipv4_masked(y, p)) AS BIGINT))[1])[1])[1]`,
  `CREATE OR REPLACE MACRO kql_ipv4_in_any(a, ranges) AS list_bool_or(list_transform(ranges, r -> kql_ipv4_compare(a, r, 32) = 0))`,
  `CREATE OR REPLACE MACRO kql_ipv4_is_private(s) AS list_transform([kql_ipv4_groups(s)], x -> (x.v & kql_ipv4_mask(8)) = 167772160 OR (x.v & kql_ipv4_mask(12)) = 2886729728 OR (x.v & kql_ipv4_mask(16)) = 3232235520)[1]`,
  // A mask outside 0..32 (or an address that is not one) formats as the empty string.
  `CREATE OR REPLACE MACRO kql_format_ipv4(ip, bits, with_suffix) AS coalesce(CASE WHEN bits BETWEEN 0 AND 32 THEN kql_ipv4_text(kql_ipv4_masked(ip, bits)) || CASE WHEN with_suffix THEN '/' || CAST(least(ip.p, bits) AS VARCHAR) ELSE '' END END, '')`,
  `CREATE OR REPLACE MACRO kql_ipv4_from_long(n) AS (CASE WHEN n BETWEEN 0 AND 4294967295 THEN {'v': CAST(n AS BIGINT), 'p': CAST(32 AS BIGINT)} END)`,
  // has_ipv4*: the addresses in a text are its tokens between characters other than letters, digits and dots
  // that are valid dotted quads ("05:04:54127.0.0.1" holds none, "127.0.0.256" is not one).
  `CREATE OR REPLACE MACRO kql_ipv4_tokens(s) AS list_filter(string_split_regex(s, '[^0-9A-Za-z.]+'), t -> regexp_matches(t, ${IPV4_TOKEN}) AND kql_ipv4_groups(t) IS NOT NULL)`,
  `CREATE OR REPLACE MACRO kql_has_any_ipv4(s, ips) AS list_transform([list_transform(kql_ipv4_tokens(s), t -> kql_ipv4_groups(t).v)], found -> coalesce(list_bool_or(list_transform(ips, ip -> regexp_matches(ip, ${IPV4_TOKEN}) AND list_contains(found, kql_ipv4_groups(ip).v))), false))[1]`,
  // A prefix is one to three octets, each followed by a dot ("127.0." — "127.0" is not a prefix).
  `CREATE OR REPLACE MACRO kql_has_any_ipv4_prefix(s, prefixes) AS list_transform([kql_ipv4_tokens(s)], found -> coalesce(list_bool_or(list_transform(prefixes, p -> regexp_matches(p, '^(\\d{1,3}\\.){1,3}$') AND list_bool_and(list_transform(string_split(rtrim(p, '.'), '.'), o -> CAST(o AS BIGINT) <= 255)) AND coalesce(list_bool_or(list_transform(found, t -> starts_with(t, p))), false))), false))[1]`,
  // ── IPv6 ──
  `CREATE OR REPLACE MACRO kql_ipv6_hex_groups(t) AS (CASE WHEN len(t) = 8 AND list_bool_and(list_transform(t, g -> regexp_matches(g, ${HEX_GROUP}))) THEN list_transform(t, g -> CAST(('0x' || g) AS INTEGER)) END)`,
  // Eight groups from text with at most one '::'.
  `CREATE OR REPLACE MACRO kql_ipv6_expand(a) AS (CASE WHEN a LIKE '%::%::%' OR a LIKE '%:::%' THEN NULL WHEN contains(a, '::') THEN list_transform([CASE WHEN split_part(a, '::', 1) = '' THEN [] ELSE string_split(split_part(a, '::', 1), ':') END], h -> list_transform([CASE WHEN split_part(a, '::', 2) = '' THEN [] ELSE string_split(split_part(a, '::', 2), ':') END], t -> CASE WHEN len(h) + len(t) < 8 THEN kql_ipv6_hex_groups(list_concat(h, list_transform(range(8 - len(h) - len(t)), i -> '0'), t)) END)[1])[1] ELSE kql_ipv6_hex_groups(string_split(a, ':')) END)`,
  `CREATE OR REPLACE MACRO kql_ipv6_from_ipv4(x) AS (CASE WHEN x IS NOT NULL THEN {'g': [0, 0, 0, 0, 0, 65535, CAST(x.v >> 16 AS INTEGER), CAST(x.v & 65535 AS INTEGER)], 'p': x.p + 96} END)`,
  `CREATE OR REPLACE MACRO kql_ipv6_parse(s) AS (CASE WHEN regexp_matches(s, ${IPV4_IN_IPV6}) THEN kql_ipv6_from_ipv4(kql_ipv4_groups(regexp_extract(s, ${IPV4_IN_IPV6}, 1))) WHEN contains(s, '.') THEN NULL ELSE list_transform([CASE WHEN contains(s, '/') THEN TRY_CAST(split_part(s, '/', 2) AS BIGINT) ELSE 128 END], p -> list_transform([kql_ipv6_expand(split_part(s, '/', 1))], g -> CASE WHEN g IS NOT NULL AND p BETWEEN 0 AND 128 AND regexp_matches(s, '^[0-9A-Fa-f:]+(/\\d{1,3})?$') THEN {'g': g, 'p': p} END)[1])[1] END)`,
  // Group i keeps its top (bits - 16 i) bits.
  `CREATE OR REPLACE MACRO kql_ipv6_masked(x, bits) AS list_transform(x.g, (g, i) -> g & (65536 - (1 << CAST(16 - least(greatest(least(x.p, bits) - 16 * (i - 1), 0), 16) AS INTEGER))))`,
  `CREATE OR REPLACE MACRO kql_ipv6_text(g) AS array_to_string(list_transform(g, x -> printf('%04x', x)), ':')`,
  `CREATE OR REPLACE MACRO kql_ipv6_compare(a, b, bits) AS list_transform([kql_ipv6_parse(a)], x -> list_transform([kql_ipv6_parse(b)], y -> CASE WHEN x IS NOT NULL AND y IS NOT NULL THEN list_transform([least(x.p, y.p, bits)], p -> CAST(CASE WHEN kql_ipv6_masked(x, p) < kql_ipv6_masked(y, p) THEN -1 WHEN kql_ipv6_masked(x, p) > kql_ipv6_masked(y, p) THEN 1 ELSE 0 END AS BIGINT))[1] END)[1])[1]`,
  `CREATE OR REPLACE MACRO kql_ipv6_in_any(a, ranges) AS list_bool_or(list_transform(ranges, r -> kql_ipv6_compare(a, r, 128) = 0))`,
  `CREATE OR REPLACE MACRO kql_parse_ipv6_mask(s, bits) AS list_transform([kql_ipv6_parse(s)], x -> CASE WHEN x IS NOT NULL AND bits BETWEEN 0 AND 128 THEN kql_ipv6_text(kql_ipv6_masked(x, bits)) END)[1]`,
];

/** The strings of a dynamic array argument (non-strings are no address). */
const STRINGS_OF =
  "list_transform(CASE WHEN json_type({1}) = 'ARRAY' THEN CAST({1} AS JSON[]) END, e -> json_extract_string(e, '$'))";

/** `name(string, string…)` for 1..max string arguments after the first, plus `name(string, dynamic)`. */
function anyOf(name: string, macro: string, max = 64): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {
    [`${name}(string,dynamic)`]: scalar(`${macro}({0}, ${STRINGS_OF})`),
  };
  for (let n = 1; n <= max; n++) {
    const items = Array.from({ length: n }, (_, i) => `{${i + 1}}`);
    out[`${name}(string,${items.map(() => 'string').join(',')})`] = scalar(
      `${macro}({0}, [${items.join(', ')}])`,
    );
  }
  return out;
}

function withPrefixLength(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const n of INTEGRAL) {
    out[`ipv4_compare(string,string,${n})`] = scalar('kql_ipv4_compare({0}, {1}, {2})');
    out[`ipv4_is_match(string,string,${n})`] = scalar('(kql_ipv4_compare({0}, {1}, {2}) = 0)');
    out[`ipv6_compare(string,string,${n})`] = scalar('kql_ipv6_compare({0}, {1}, {2})');
    out[`ipv6_is_match(string,string,${n})`] = scalar('(kql_ipv6_compare({0}, {1}, {2}) = 0)');
    out[`parse_ipv4_mask(string,${n})`] = scalar(
      '(CASE WHEN {1} BETWEEN 0 AND 32 THEN kql_ipv4_masked(kql_ipv4_groups({0}), {1}) END)',
    );
    out[`parse_ipv6_mask(string,${n})`] = scalar('kql_parse_ipv6_mask({0}, {1})');
    out[`format_ipv4(string,${n})`] = scalar('kql_format_ipv4(kql_ipv4_groups({0}), {1}, false)');
    out[`format_ipv4(long,${n})`] = scalar('kql_format_ipv4(kql_ipv4_from_long({0}), {1}, false)');
    out[`format_ipv4_mask(string,${n})`] = scalar('kql_format_ipv4(kql_ipv4_groups({0}), {1}, true)');
    out[`format_ipv4_mask(long,${n})`] = scalar('kql_format_ipv4(kql_ipv4_from_long({0}), {1}, true)');
  }
  return out;
}

export const IP_FUNCTIONS: Readonly<Record<string, FunctionMapping>> = {
  ...withPrefixLength(),
  ...anyOf('ipv4_is_in_any_range', 'kql_ipv4_in_any'),
  ...anyOf('ipv6_is_in_any_range', 'kql_ipv6_in_any'),
  ...anyOf('has_any_ipv4', 'kql_has_any_ipv4'),
  ...anyOf('has_any_ipv4_prefix', 'kql_has_any_ipv4_prefix'),
  'parse_ipv4(string)': scalar('kql_ipv4_masked(kql_ipv4_groups({0}), 32)'),
  'ipv4_netmask_suffix(string)': scalar('kql_ipv4_groups({0}).p'),
  'ipv4_is_private(string)': scalar('kql_ipv4_is_private({0})'),
  'ipv4_compare(string,string)': scalar('kql_ipv4_compare({0}, {1}, 32)'),
  'ipv4_is_match(string,string)': scalar('(kql_ipv4_compare({0}, {1}, 32) = 0)'),
  'ipv4_is_in_range(string,string)': scalar('(kql_ipv4_compare({0}, {1}, 32) = 0)'),
  'format_ipv4(string)': scalar('kql_format_ipv4(kql_ipv4_groups({0}), 32, false)'),
  'format_ipv4(long)': scalar('kql_format_ipv4(kql_ipv4_from_long({0}), 32, false)'),
  'format_ipv4_mask(string)': scalar('kql_format_ipv4(kql_ipv4_groups({0}), 32, true)'),
  'format_ipv4_mask(long)': scalar('kql_format_ipv4(kql_ipv4_from_long({0}), 32, true)'),
  'has_ipv4(string,string)': scalar('kql_has_any_ipv4({0}, [{1}])'),
  'has_ipv4_prefix(string,string)': scalar('kql_has_any_ipv4_prefix({0}, [{1}])'),
  'parse_ipv6(string)': scalar('kql_parse_ipv6_mask({0}, 128)'),
  'ipv6_compare(string,string)': scalar('kql_ipv6_compare({0}, {1}, 128)'),
  'ipv6_is_match(string,string)': scalar('(kql_ipv6_compare({0}, {1}, 128) = 0)'),
  'ipv6_is_in_range(string,string)': scalar('(kql_ipv6_compare({0}, {1}, 128) = 0)'),
};
