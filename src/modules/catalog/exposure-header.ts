import { type HeaderLine, parseTimespanTicks, ticksToMs } from '@kqlgate/kql-language';
import type { Exposure, ParameterBinding } from './catalog.types.js';
import { parseChartDirective, type DeclaredChart } from './chart-directive.js';
import type { DeclaredRange } from './parameter-range.js';

/**
 * The exposure header: structured `//` comment lines right above a `.create-or-alter function`, so the settings
 * live next to the KQL an analyst edits and Kusto ignores them when the script runs as is.
 *
 * ```
 * // @expose roles=analyst,fraud-analyst cache=30s swr=5m live=5s cost=5 timeout=20s maxRows=1000
 * // @bind tenantId=claim:tid
 * // @param maxAccounts min=1 max=1000
 * // @chart timechart x=Period y=Revenue,Orders
 * ```
 *
 * No `@expose` line → the function is deployed but not offered over GraphQL/REST. `@param` lines are read here
 * as text; the catalog builder checks them against the parameters' types (parameter-range.ts).
 */
export interface ExposureHeader {
  exposure?: Exposure;
  bindings: Record<string, ParameterBinding>;
  ranges: DeclaredRange[];
  chart?: DeclaredChart;
  problems: { offset: number; message: string }[];
}

export const EXPOSURE_DEFAULTS: Exposure = {
  roles: [],
  scopes: [],
  anonymous: false,
  cacheTtlMs: 0,
  staleWhileRevalidateMs: 0,
  cost: 1,
  timeoutMs: 30_000,
  maxRows: 10_000,
};

const MAX_TIMEOUT_MS = 10 * 60_000;
const MAX_ROWS = 500_000;
/** A day: past that a "stale" result is simply an old one; use a longer cache TTL instead. */
const MAX_STALE_MS = 24 * 60 * 60_000;
/** An hour: a live stream pushing less often than that is better served by polling the cached REST call. */
const MAX_LIVE_INTERVAL_MS = 60 * 60_000;

export function parseExposureHeader(lines: readonly HeaderLine[]): ExposureHeader {
  const header: ExposureHeader = { bindings: {}, ranges: [], problems: [] };
  for (const line of lines) {
    const match = /^(\s*)@([A-Za-z]+)\b(.*)$/.exec(line.text);
    if (!match) {
      continue;
    }
    const directive = match[2].toLowerCase();
    const argsOffset = line.offset + match[1].length + 1 + match[2].length;
    const args = tokens(match[3], argsOffset);
    if (directive === 'expose') {
      if (header.exposure) {
        header.problems.push({ offset: line.offset, message: 'more than one @expose line' });
      }
      header.exposure = parseExpose(args, header.problems);
    } else if (directive === 'bind') {
      for (const arg of args) {
        const bind = /^([A-Za-z_][A-Za-z0-9_]*)=claim:([A-Za-z0-9_.:/-]+)$/.exec(arg.text);
        if (!bind) {
          header.problems.push({
            offset: arg.offset,
            message: `@bind expects parameter=claim:<claim name>, e.g. tenantId=claim:tid; found '${arg.text}'`,
          });
          continue;
        }
        header.bindings[bind[1]] = { claim: bind[2] };
      }
    } else if (directive === 'param') {
      const range = parseParam(args, line.offset + match[1].length, header.problems);
      if (range) {
        if (header.ranges.some((r) => r.name === range.name)) {
          header.problems.push({
            offset: range.offset,
            message: `more than one @param line for ${range.name}`,
          });
        } else {
          header.ranges.push(range);
        }
      }
    } else if (directive === 'chart') {
      if (header.chart) {
        header.problems.push({ offset: line.offset + match[1].length, message: 'more than one @chart line' });
      }
      header.chart = parseChartDirective(args, line.offset + match[1].length, header.problems);
    } else {
      header.problems.push({
        offset: line.offset + match[1].length,
        message: `unknown directive @${match[2]} (known: @expose, @bind, @param, @chart)`,
      });
    }
  }
  return header;
}

function parseExpose(args: Token[], problems: ExposureHeader['problems']): Exposure {
  const exposure: Exposure = { ...EXPOSURE_DEFAULTS, roles: [], scopes: [] };
  let swrToken: Token | undefined;
  for (const arg of args) {
    if (arg.text === 'anonymous') {
      exposure.anonymous = true;
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(arg.text);
    const problem = (message: string): void => {
      problems.push({ offset: arg.offset, message });
    };
    if (!pair) {
      problem(`expected key=value in @expose, found '${arg.text}'`);
      continue;
    }
    const [, key, value] = pair;
    switch (key) {
      case 'roles':
      case 'scopes':
        exposure[key] = value.split(',').filter((v) => v !== '');
        break;
      case 'cache': {
        const ms = durationMs(value);
        if (ms === undefined || ms < 0) {
          problem(`cache must be a duration such as 30s, 5m or 0 (no caching); found '${value}'`);
        } else {
          exposure.cacheTtlMs = ms;
        }
        break;
      }
      case 'swr': {
        const ms = durationMs(value);
        if (ms === undefined || ms < 0 || ms > MAX_STALE_MS) {
          problem(
            `swr (stale-while-revalidate) must be a duration between 0 and 1d such as 30s or 5m; found '${value}'`,
          );
        } else {
          exposure.staleWhileRevalidateMs = ms;
          swrToken = arg;
        }
        break;
      }
      case 'timeout': {
        const ms = durationMs(value);
        if (ms === undefined || ms <= 0 || ms > MAX_TIMEOUT_MS) {
          problem(`timeout must be a duration between 1ms and 10m such as 30s; found '${value}'`);
        } else {
          exposure.timeoutMs = ms;
        }
        break;
      }
      case 'cost': {
        const cost = Number(value);
        if (!Number.isInteger(cost) || cost < 0 || cost > 10_000) {
          problem(`cost must be a whole number of rate-limit points between 0 and 10000; found '${value}'`);
        } else {
          exposure.cost = cost;
        }
        break;
      }
      case 'live': {
        const ms = durationMs(value);
        if (ms === undefined || ms < 0 || ms > MAX_LIVE_INTERVAL_MS) {
          problem(
            `live (how often at most a live stream re-runs the function) must be a duration between 0 and 1h such as 1s or 30s; found '${value}'`,
          );
        } else {
          exposure.liveIntervalMs = ms;
        }
        break;
      }
      case 'maxRows': {
        const rows = Number(value);
        if (!Number.isInteger(rows) || rows < 1 || rows > MAX_ROWS) {
          problem(`maxRows must be a whole number between 1 and ${MAX_ROWS}; found '${value}'`);
        } else {
          exposure.maxRows = rows;
        }
        break;
      }
      default:
        problem(
          `unknown @expose setting '${key}' (known: roles, scopes, anonymous, cache, swr, live, cost, timeout, maxRows)`,
        );
    }
  }
  // Checked once every setting is read, so the order of cache= and swr= on the line does not matter.
  if (swrToken && exposure.staleWhileRevalidateMs > 0 && exposure.cacheTtlMs < 1000) {
    problems.push({
      offset: swrToken.offset,
      message: `swr serves an expired cached result, so it needs a cache TTL of at least 1s (e.g. cache=30s ${swrToken.text})`,
    });
    exposure.staleWhileRevalidateMs = 0;
  }
  return exposure;
}

/** `@param <name> min=… max=… maxLength=…`: the bounds stay text until the parameter's type is known. */
function parseParam(
  args: Token[],
  directiveOffset: number,
  problems: ExposureHeader['problems'],
): DeclaredRange | undefined {
  const [name, ...settings] = args;
  if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.text)) {
    problems.push({
      offset: name?.offset ?? directiveOffset,
      message: `@param expects a parameter name and its range, e.g. @param historyDays min=1 max=365; found '${name?.text ?? ''}'`,
    });
    return undefined;
  }
  const range: DeclaredRange = { name: name.text, offset: name.offset };
  for (const setting of settings) {
    const pair = /^(min|max|maxLength)=(.+)$/.exec(setting.text);
    if (!pair) {
      problems.push({
        offset: setting.offset,
        message: `unknown @param setting '${setting.text}' (known: min=, max=, maxLength=)`,
      });
      continue;
    }
    const key = pair[1] as 'min' | 'max' | 'maxLength';
    range[key] = { text: pair[2], offset: setting.offset };
  }
  if (!range.min && !range.max && !range.maxLength) {
    problems.push({
      offset: name.offset,
      message: `@param ${name.text} declares no range (min=, max= or maxLength=)`,
    });
    return undefined;
  }
  return range;
}

function durationMs(value: string): number | undefined {
  if (value === '0') {
    return 0;
  }
  const ticks = parseTimespanTicks(value);
  return ticks === undefined ? undefined : ticksToMs(ticks);
}

interface Token {
  text: string;
  offset: number;
}

function tokens(text: string, offset: number): Token[] {
  const result: Token[] = [];
  const pattern = /\S+/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    result.push({ text: match[0], offset: offset + match.index });
  }
  return result;
}
