/**
 * Where external data lives, read from an ADX storage connection string as external tables and `externaldata` take
 * them (https://learn.microsoft.com/kusto/api/connection-strings/storage-connection-strings):
 *
 *   https://<account>.blob.core.windows.net/<container>[/<path>][?<SAS token> | ;<account key>]
 *   http://127.0.0.1:<port>/<account>/<container>[/<path>][…]      Azurite's path-style address, as ADX's own tests use
 *   file:///<absolute path>                                         the embedded engine only: a local file or folder
 *   file:<relative path>                                            the same, relative to the external data root
 *
 * The connection string's secret (account key or SAS token) stays in the location for the blob client; `display` is
 * the form for messages and `.show external tables`, with the secret replaced by asterisks, as ADX shows it.
 */
import { fileURLToPath } from 'node:url';
import { KustoEngineError } from '../errors/kusto-engine-error.js';

export type BlobCredential =
  { kind: 'key'; key: string } | { kind: 'sas'; token: string } | { kind: 'anonymous' };

export type StorageLocation =
  | {
      kind: 'blob';
      /** `https://<account>.blob.core.windows.net` or `http://127.0.0.1:<port>/<account>`. */
      accountUrl: string;
      account: string;
      container: string;
      /** Blob name or folder inside the container, without a leading `/`; '' for the whole container. */
      path: string;
      credential: BlobCredential;
      display: string;
    }
  | {
      kind: 'file';
      /** Absolute, or relative to the engine's external data root (`file:<relative path>`). */
      path: string;
      relative: boolean;
      display: string;
    };

const CLOUD_HOST = /^([a-z0-9]{3,24})\.blob\.core\.windows\.net$/i;

/** Parses one connection string; `what` names its owner in messages (`External table 'T'`, `externaldata`). */
export function parseStorageLocation(connectionString: string, what: string): StorageLocation {
  const text = connectionString.trim();
  if (/^file:(?!\/)/i.test(text)) {
    // Not a URL form ADX knows: a path kept in kql/ that does not depend on where the repository is checked out.
    return { kind: 'file', path: text.slice('file:'.length), relative: true, display: text };
  }
  if (/^file:/i.test(text)) {
    let path: string;
    try {
      path = fileURLToPath(text);
    } catch {
      throw KustoEngineError.badRequest(`${what}: '${text}' is not a valid file:// URL of an absolute path.`);
    }
    return { kind: 'file', path, relative: false, display: text };
  }
  const semicolon = text.indexOf(';');
  const address = semicolon === -1 ? text : text.slice(0, semicolon);
  const secret = semicolon === -1 ? undefined : text.slice(semicolon + 1);
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw KustoEngineError.badRequest(
      `${what}: the storage connection string must be an https:// blob URL (or file:// for a local file); got '${redact(text)}'.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw KustoEngineError.notSupported(
      `${what}: storage of scheme '${url.protocol}' is not supported by the embedded engine; use an Azure blob URL or file://.`,
    );
  }
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const cloud = CLOUD_HOST.exec(url.hostname);
  // Path-style (Azurite, IP addresses): the account is the first path segment.
  const account = cloud ? cloud[1] : segments.shift();
  const container = segments.shift();
  const display = `${url.origin}${url.pathname}${url.search === '' ? '' : '?****'}${secret === undefined ? '' : ';****'}`;
  if (!account || !container) {
    throw KustoEngineError.badRequest(
      `${what}: '${display}' names no blob container; expected https://<account>.blob.core.windows.net/<container>[/<path>].`,
    );
  }
  const accountUrl = cloud ? url.origin : `${url.origin}/${account}`;
  let credential: BlobCredential = { kind: 'anonymous' };
  if (secret !== undefined) {
    if (/^(impersonate|managed_identity=|token=)/i.test(secret)) {
      throw KustoEngineError.notSupported(
        `${what}: '${secret.split('=')[0]}' authentication is not supported by the embedded engine; use an account key or a SAS token.`,
      );
    }
    credential = { kind: 'key', key: secret };
  } else if (url.search !== '') {
    credential = { kind: 'sas', token: url.search.slice(1) };
  }
  return { kind: 'blob', accountUrl, account, container, path: segments.join('/'), credential, display };
}

/** The connection string with its secret replaced, for messages about a string that did not parse. */
export function redact(connectionString: string): string {
  return connectionString.replace(/;.*$/s, ';****').replace(/\?[^;]*/, '?****');
}
