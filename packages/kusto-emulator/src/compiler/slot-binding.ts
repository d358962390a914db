/**
 * Fills a compiled template's slots (`now()`, query parameters) with one call's values. Kept apart from the rest of
 * the compiler because it needs no Kusto.Language: an engine whose compiler runs in another thread binds here.
 */
import type { CompiledQuery, QueryParameterValues } from './compiler-types.js';
import type { ParameterSlot } from './ir/ir-node.js';
import { KqlCompileError } from './kql-compile-error.js';
import { dateToTicks } from './kusto-time.js';
import { literalValue } from './lower/literal-values.js';

function isSlot(value: unknown): value is ParameterSlot {
  return typeof value === 'object' && value !== null && 'slot' in value;
}

/** Fills `now()` and query-parameter slots with this call's values (validating each against its type). */
export function bindSlots(template: CompiledQuery, params: QueryParameterValues, now: Date): CompiledQuery {
  if (!template.statements.some((s) => s.parameters.some(isSlot))) {
    return template;
  }
  const nowTicks = dateToTicks(now);
  const fill = (value: unknown): unknown => {
    if (!isSlot(value)) {
      return value;
    }
    if (value.slot === 'now') {
      return nowTicks;
    }
    const raw = params[value.name];
    const literal = literalValue(value.type, raw);
    if (literal === undefined) {
      throw new KqlCompileError(
        'PARAMETER',
        `query parameter '${value.name}' of type ${value.type} has an invalid value ${JSON.stringify(raw)}`,
        { line: value.line, column: value.column },
      );
    }
    return literal;
  };
  return Object.freeze({
    ...template,
    statements: Object.freeze(
      template.statements.map((s) =>
        Object.freeze({ ...s, parameters: Object.freeze(s.parameters.map(fill)) }),
      ),
    ),
  });
}
