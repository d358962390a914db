/**
 * The naming rule of Kusto entities (tables, ingestion mappings…), applied to every name a message or the route
 * table hands the ingestion, before the name goes anywhere near a request URL.
 *
 * Kusto's rule (KQL reference, "Entity names"): 1 to 1024 characters, each a letter, a digit, `_`, a space, `.`
 * or `-`; names that start or end with `__` are reserved for Kusto; `$` only appears in names Kusto generates.
 * A property carries the entity's name itself, not a KQL reference to it, so the quoted forms `['name']` and
 * `["name"]` are rejected like any other bracket or quote. One restriction is ours: a name of dots only (`.`,
 * `..`) would be a dot segment of the streaming-ingest URL path, which URL parsing removes.
 */

export const MAX_ENTITY_NAME_LENGTH = 1024;

const ALLOWED = /^[\p{L}\p{Nd}_ .-]+$/u;
const DISALLOWED_CHARACTER = /[^\p{L}\p{Nd}_ .-]/u;

/** What is wrong with `name` as a Kusto entity name, or undefined when it is valid. */
export function entityNameProblem(name: string): string | undefined {
  if (name.length === 0) {
    return 'it is empty';
  }
  if (name.length > MAX_ENTITY_NAME_LENGTH) {
    return `it has ${name.length} characters, above the limit of ${MAX_ENTITY_NAME_LENGTH}`;
  }
  if (!ALLOWED.test(name)) {
    const bad = DISALLOWED_CHARACTER.exec(name)![0];
    const quoted = /^\[(['"]).*\1\]$/su.test(name) ? " (give the name itself, without [' '] quoting)" : '';
    return `${describeCharacter(bad)} is not allowed${quoted}`;
  }
  if (name.startsWith('__') || name.endsWith('__')) {
    return "names starting or ending with '__' are reserved for Kusto";
  }
  if (/^\.+$/.test(name)) {
    return 'a name of dots only cannot be addressed in an ingest request';
  }
  return undefined;
}

/** The rule in one phrase, for messages that report a problem. */
export const ENTITY_NAME_RULE =
  "1 to 1024 letters, digits, '_', ' ', '.' or '-', not starting or ending with '__'";

function describeCharacter(character: string): string {
  if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(character)) {
    return `'${character}'`;
  }
  // Control and invisible characters would vanish from the message: name them by code point.
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
