/**
 * Turns a storage location into local files DuckDB can read: blobs are downloaded with the Azure Storage SDK (DuckDB's
 * azure extension would have to be downloaded at run time, which an offline machine cannot do) into a cache folder,
 * named by their address and ETag, so an unchanged blob is fetched once; local files are read in place, and only
 * under the configured external data root (a query must not read arbitrary files of the engine's machine).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, realpath, rename, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import {
  BlobServiceClient,
  RestError,
  StorageSharedKeyCredential,
  type ContainerClient,
} from '@azure/storage-blob';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import type { StorageLocation } from './storage-location.js';

type BlobLocation = Extract<StorageLocation, { kind: 'blob' }>;

export interface ExternalFileFetcherOptions {
  /** Where downloaded blobs are kept. */
  cacheDir: string;
  /** The only folder `file://` locations may point into; unset: local files are refused. */
  localRoot?: string;
  /**
   * The blob endpoint of the engine's own Azurite (`http://127.0.0.1:<port>/devstoreaccount1`), when it runs: the
   * development account's cloud address (`https://devstoreaccount1.blob.core.windows.net/…`) is served by it, so a
   * definition kept in `kql/` does not depend on the port Azurite was given.
   */
  azuriteBlobEndpoint?: () => string | undefined;
}

const DEV_ACCOUNT = 'devstoreaccount1';

export class ExternalFileFetcher {
  constructor(private readonly options: ExternalFileFetcherOptions) {}

  /**
   * The local files holding the data at `location`: one blob or file when `single` (externaldata), else every
   * blob under the folder, or every file under the local folder (external tables).
   */
  async files(location: StorageLocation, what: string, single: boolean): Promise<string[]> {
    return location.kind === 'file'
      ? this.localFiles(location, what)
      : this.blobFiles(location, what, single);
  }

  private async localFiles(
    location: Extract<StorageLocation, { kind: 'file' }>,
    what: string,
  ): Promise<string[]> {
    const { display } = location;
    const root = this.options.localRoot;
    if (root === undefined) {
      throw KustoEngineError.notSupported(
        `${what}: local files (${display}) are read only under the engine's external data root, and none is configured (--external-data-root).`,
      );
    }
    let real: string;
    try {
      real = await realpath(location.relative ? resolve(root, location.path) : location.path);
    } catch {
      throw KustoEngineError.badRequest(`${what}: ${display} was not found.`);
    }
    const fromRoot = relative(await realpath(root), real);
    if (fromRoot.startsWith('..') || fromRoot.startsWith(sep)) {
      throw KustoEngineError.badRequest(`${what}: ${display} is outside the engine's external data root.`);
    }
    if (!(await stat(real)).isDirectory()) {
      return [real];
    }
    const entries = await readdir(real, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => join(e.parentPath, e.name))
      .sort();
  }

  private async blobFiles(location: BlobLocation, what: string, single: boolean): Promise<string[]> {
    const container = this.containerClient(location);
    try {
      const blobs: { name: string; etag: string }[] = [];
      if (single) {
        const properties = await container.getBlobClient(location.path).getProperties();
        blobs.push({ name: location.path, etag: properties.etag ?? '' });
      } else {
        const prefix =
          location.path === '' || location.path.endsWith('/') ? location.path : `${location.path}/`;
        for await (const blob of container.listBlobsFlat({ prefix: prefix === '' ? undefined : prefix })) {
          if ((blob.properties.contentLength ?? 0) > 0) {
            blobs.push({ name: blob.name, etag: blob.properties.etag });
          }
        }
      }
      await mkdir(this.options.cacheDir, { recursive: true });
      const files: string[] = [];
      for (const blob of blobs) {
        files.push(await this.download(container, location, blob));
      }
      return files;
    } catch (error) {
      throw storageError(error, location, what);
    }
  }

  private async download(
    container: ContainerClient,
    location: BlobLocation,
    blob: { name: string; etag: string },
  ): Promise<string> {
    const key = createHash('sha256')
      .update(`${location.accountUrl}\u0000${location.container}\u0000${blob.name}\u0000${blob.etag}`)
      .digest('hex');
    const file = join(this.options.cacheDir, key);
    const known = await stat(file).catch(() => undefined);
    if (known) {
      return file;
    }
    // Written aside and renamed: a concurrent query never reads a half-written file.
    const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
    await container.getBlobClient(blob.name).downloadToFile(partial);
    await rename(partial, file);
    return file;
  }

  private containerClient(location: BlobLocation): ContainerClient {
    const azurite = this.options.azuriteBlobEndpoint?.();
    const accountUrl =
      azurite !== undefined && location.accountUrl === `https://${DEV_ACCOUNT}.blob.core.windows.net`
        ? azurite
        : location.accountUrl;
    // Few retries: a wrong address should fail the query in seconds, not after the SDK's default back-off.
    const options = { retryOptions: { maxTries: 2 } };
    const { credential } = location;
    const service =
      credential.kind === 'key'
        ? new BlobServiceClient(
            accountUrl,
            new StorageSharedKeyCredential(location.account, credential.key),
            options,
          )
        : new BlobServiceClient(
            credential.kind === 'sas' ? `${accountUrl}?${credential.token}` : accountUrl,
            undefined,
            options,
          );
    return service.getContainerClient(location.container);
  }
}

/** A storage failure as the user can act on it: what, where (secret redacted), and why. */
function storageError(error: unknown, location: BlobLocation, what: string): unknown {
  if (error instanceof KustoEngineError) {
    return error;
  }
  const where = location.display;
  if (error instanceof RestError) {
    const code = error.code ?? (error.details as { errorCode?: string } | undefined)?.errorCode ?? '';
    switch (error.statusCode) {
      case 404:
        return KustoEngineError.badRequest(
          `${what}: ${code === 'ContainerNotFound' ? 'the container' : 'the blob'} was not found at ${where}.`,
          { storageStatus: 404 },
        );
      case 401:
      case 403:
        return KustoEngineError.badRequest(
          `${what}: access to ${where} was denied (HTTP ${error.statusCode}${code ? `, ${code}` : ''}); check the account key or SAS token of the connection string.`,
          { storageStatus: error.statusCode },
        );
      case undefined:
        return KustoEngineError.badRequest(
          `${what}: storage at ${where} could not be reached (${error.message}).`,
        );
      default:
        return KustoEngineError.badRequest(
          `${what}: reading ${where} failed (HTTP ${error.statusCode}${code ? `, ${code}` : ''}).`,
        );
    }
  }
  return error;
}
