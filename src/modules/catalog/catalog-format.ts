import { formatPosition } from '@kqlgate/kql-language';
import type { CatalogDiagnostic } from './catalog.types.js';

/** `functions/X.kql:12:7: error: message [CODE]` — the form editors and CI annotations pick up. */
export function formatDiagnostic(diagnostic: CatalogDiagnostic, root?: string): string {
  const position = root
    ? { ...diagnostic.position, file: `${root.replace(/\/$/, '')}/${diagnostic.position.file}` }
    : diagnostic.position;
  return `${formatPosition(position)}: ${diagnostic.severity}: ${diagnostic.message} [${diagnostic.code}]`;
}
