/**
 * Compiled once at start-up (when the host asks for a warm-up) so Kusto.Language's one-time start-up — over a
 * second of CPU — is paid before the first real command. Touches the operators and functions most commands and
 * update policies use, so their code is compiled too.
 */
export const WARM_UP_QUERY =
  "print a = 1, b = 'x', t = now() | extend c = a * 2, d = strcat(b, tostring(a)) | where c > 0 and isnotempty(d)" +
  ' | summarize n = count(), s = sum(c), m = max(t) by b, bin(t, 1h) | project b, n, s, m';
