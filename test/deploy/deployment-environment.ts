/**
 * The environment variables a deployment may set: those kqlgate's configuration declares (src/config/env.dto.ts),
 * plus the few that other code reads directly. A name outside both is a typo kqlgate would silently ignore.
 */
import { configKeys } from '../../src/config/load-config.js';

/** Read outside EnvConfig, each by what the comment names. */
export const VARIABLES_READ_OUTSIDE_CONFIG: Readonly<Record<string, string>> = {
  AZURE_CLIENT_ID: "@azure/identity's DefaultAzureCredential: which user-assigned identity to use",
};

/** The names kqlgate would not read, sorted. */
export function unknownVariables(names: Iterable<string>): string[] {
  const known = new Set([...configKeys(), ...Object.keys(VARIABLES_READ_OUTSIDE_CONFIG)]);
  return [...new Set(names)].filter((name) => !known.has(name)).sort();
}
