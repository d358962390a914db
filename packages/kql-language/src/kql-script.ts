import { skipComment, skipString } from './kql-lexer.js';

/** One management command of a `.kql` script, with the comment block written just above it. */
export interface ScriptCommand {
  /** The command text, from its leading `.` to its last non-blank line. */
  text: string;
  /** Offset of `text` in the script. */
  offset: number;
  /** The `//` comment lines between the previous command and this one, without the `//`. */
  header: HeaderLine[];
}

export interface HeaderLine {
  text: string;
  /** Offset of the first character after `//`. */
  offset: number;
}

/**
 * Cuts a script into its commands. A command starts with a `.` at the start of a line (after indentation) outside
 * any bracket or string, the way the Kusto Web Explorer and `kqlgate deploy` read a script; everything up to the
 * next such line belongs to it, except the trailing comment block, which heads the next command.
 */
export function splitScript(script: string): ScriptCommand[] {
  const commandStarts: number[] = [];
  let depth = 0;
  let atLineStart = true;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === '\n') {
      atLineStart = true;
      continue;
    }
    if (atLineStart && (c === ' ' || c === '\t' || c === '\r')) {
      continue;
    }
    if (atLineStart && c === '.' && depth === 0) {
      commandStarts.push(i);
    }
    atLineStart = false;
    const afterString = skipString(script, i);
    if (afterString >= 0) {
      i = afterString - 1;
      continue;
    }
    const afterComment = skipComment(script, i);
    if (afterComment >= 0) {
      i = afterComment - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if ((c === ')' || c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }

  const commands: ScriptCommand[] = [];
  let previousEnd = 0;
  commandStarts.forEach((start, index) => {
    const next = commandStarts[index + 1] ?? script.length;
    const { end, trailingStart } = trimTrailing(script, start, next);
    commands.push({
      text: script.slice(start, end),
      offset: start,
      header: headerLines(script, previousEnd, start),
    });
    previousEnd = trailingStart;
  });
  return commands;
}

/** End of the command's own text, and where the comment/blank block that follows it begins. */
function trimTrailing(script: string, start: number, next: number): { end: number; trailingStart: number } {
  const lines = script.slice(start, next).split('\n');
  let keep = lines.length;
  while (keep > 1) {
    const line = lines[keep - 1].trim();
    if (line === '' || line.startsWith('//')) {
      keep--;
    } else {
      break;
    }
  }
  const kept = lines.slice(0, keep).join('\n');
  const end = start + kept.trimEnd().length;
  return { end, trailingStart: start + kept.length };
}

function headerLines(script: string, from: number, to: number): HeaderLine[] {
  const lines: HeaderLine[] = [];
  let offset = from;
  for (const line of script.slice(from, to).split('\n')) {
    const trimmed = line.trimStart();
    if (trimmed.startsWith('//')) {
      const commentStart = offset + (line.length - trimmed.length) + 2;
      lines.push({ text: line.trim().slice(2), offset: commentStart });
    }
    offset += line.length + 1;
  }
  return lines;
}
