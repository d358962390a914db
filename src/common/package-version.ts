import { kqlgatePackage } from './package-root.js';

/** kqlgate's version from its package.json. */
export function packageVersion(): string {
  return kqlgatePackage().version;
}
