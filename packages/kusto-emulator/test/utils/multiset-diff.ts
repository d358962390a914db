/**
 * Compares two lists as multisets (order ignored, repeats counted): what `expected` holds that `actual` lacks,
 * and what `actual` holds beyond it. Both are empty when the lists are equal up to order.
 */
export function multisetDiff<T>(
  actual: readonly T[],
  expected: readonly T[],
  equal: (actual: T, expected: T) => boolean,
): { missing: T[]; unexpected: T[] } {
  const unexpected = [...actual];
  const missing: T[] = [];
  for (const item of expected) {
    const at = unexpected.findIndex((a) => equal(a, item));
    if (at >= 0) {
      unexpected.splice(at, 1);
    } else {
      missing.push(item);
    }
  }
  return { missing, unexpected };
}
