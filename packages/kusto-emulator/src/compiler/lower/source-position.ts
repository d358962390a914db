/** Line and column (1-based) of a character offset in query text, as errors report them. */
import type { SourcePosition } from '../kql-compile-error.js';

export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}
