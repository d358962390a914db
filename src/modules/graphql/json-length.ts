/**
 * Whether `JSON.stringify(value)` would be longer than `max` characters, found without building the text: a walk
 * that stops as soon as the count passes `max`, so checking a huge value costs about `max` characters of work and
 * allocates nothing. Strings count their characters plus quotes, numbers their decimal form: the exact length of
 * the text for the plain values a GraphQL result holds, less the escape characters (`\"`, `\n`…), not counted.
 *
 * Writing a number out is most of the cost of the walk (a 20-row answer: ~5 µs, as much as JSON.stringify), so a
 * first walk counts every number at its longest (24 characters, `-1.7976931348623157e+308`); only a value that
 * this upper bound puts over `max` is walked again with the numbers' real lengths.
 */
export function jsonLongerThan(value: unknown, max: number): boolean {
  return longerThan(value, max, () => LONGEST_NUMBER) && longerThan(value, max, numberLength);
}

const LONGEST_NUMBER = 24;

function numberLength(item: number): number {
  return Number.isFinite(item) ? String(item).length : 4;
}

function longerThan(value: unknown, max: number, lengthOf: (item: number) => number): boolean {
  let remaining = max;
  const visit = (item: unknown): boolean => {
    switch (typeof item) {
      case 'string':
        remaining -= item.length + 2;
        break;
      case 'number':
        remaining -= lengthOf(item);
        break;
      case 'boolean':
        remaining -= item ? 4 : 5;
        break;
      case 'object':
        if (item === null) {
          remaining -= 4;
        } else if (Array.isArray(item)) {
          remaining -= 2 + Math.max(0, item.length - 1);
          for (const element of item as unknown[]) {
            if (visit(element)) {
              return true;
            }
          }
        } else {
          const record = item as Record<string, unknown>;
          const keys = Object.keys(record);
          remaining -= 2 + Math.max(0, keys.length - 1);
          for (const key of keys) {
            remaining -= key.length + 3;
            if (visit(record[key])) {
              return true;
            }
          }
        }
        break;
      case 'bigint':
        // JSON.stringify refuses BigInts; the serializer of a scalar would have turned one into a string.
        remaining -= String(item).length + 2;
        break;
      case 'undefined':
      case 'function':
      case 'symbol':
        // Left out of JSON text (or written as null in arrays).
        break;
    }
    return remaining < 0;
  };
  return visit(value);
}
