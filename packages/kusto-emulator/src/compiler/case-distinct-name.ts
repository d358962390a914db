/**
 * KQL names are case-sensitive (`a` and `A` are two columns); DuckDB resolves identifiers, quoted or not,
 * case-insensitively. Wherever both spellings must live side by side — the columns of one compiled
 * statement, the stored columns of one table — all but the first get a DuckDB name with a `~n` suffix.
 * Names without such a twin keep their spelling, so generated SQL and stored tables read as the KQL does.
 */

/** `name` if no taken name equals it case-insensitively, else the first free `name~2`, `name~3`, … */
export function caseDistinctName(name: string, isTaken: (lowerCased: string) => boolean): string {
  if (!isTaken(name.toLowerCase())) {
    return name;
  }
  for (let n = 2; ; n += 1) {
    const candidate = `${name}~${n}`;
    if (!isTaken(candidate.toLowerCase())) {
      return candidate;
    }
  }
}
