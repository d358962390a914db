/**
 * KQL text with its obfuscated string literals (`h'…'`, `h@'…'`, `h"…"`, `H…`) replaced by `h'****'`, for logs and
 * `.show running queries`: that prefix is how KQL marks a secret (an account key or SAS token in an `externaldata`
 * URI), and ADX never shows those literals back either.
 */
const OBFUSCATED = /(?<![\w$])[hH]@?(?:'(?:[^'\\\n]|\\.|'')*'|"(?:[^"\\\n]|\\.|"")*")/g;

export function withObfuscatedLiterals(text: string): string {
  return text.replace(OBFUSCATED, "h'****'");
}
