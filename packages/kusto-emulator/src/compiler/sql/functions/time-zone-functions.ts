/**
 * `datetime_utc_to_local` and `datetime_local_to_utc`: a datetime moved by the time zone's UTC offset at that
 * moment (IANA names, as ADX takes them: `US/Pacific`, `Europe/Brussels`). The offset is looked up by a JavaScript
 * function (time-zone-js-functions.ts, the runtime's ICU time-zone data) from whole seconds, so the ticks below a
 * second never leave SQL. A name the time-zone data does not know gives null.
 */
import type { FunctionMapping } from '../function-map.js';
import { jsSqlName, type KustoResult } from './js-scalar-function.js';

export const TIME_ZONE_JS_RESULTS = {
  time_zone_offset: 'int',
} as const satisfies Record<string, KustoResult>;

const TICKS_PER_SECOND = 10_000_000;

/** `{0}` moved by the offset of zone `{1}`, where `reading` says whether `{0}` is a UTC or a local time. */
const shifted = (sign: '+' | '-', reading: 'utc' | 'local'): FunctionMapping => ({
  sql: `({0} ${sign} CAST(${jsSqlName('time_zone_offset')}(kql_floor_div({0}, ${TICKS_PER_SECOND}), {1}, '${reading}') AS BIGINT) * ${TICKS_PER_SECOND})`,
});

export const TIME_ZONE_FUNCTIONS: Readonly<Record<string, FunctionMapping>> = {
  'datetime_utc_to_local(datetime,string)': shifted('+', 'utc'),
  'datetime_local_to_utc(datetime,string)': shifted('-', 'local'),
};
