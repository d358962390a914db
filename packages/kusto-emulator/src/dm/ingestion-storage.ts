/**
 * The storage resources of queued ingestion, in Azurite, and the URIs `.get ingestion resources` hands out for
 * them — one of each kind, as a small ADX cluster has:
 *   TempStorage                       blob container the SDK uploads data to
 *   SecuredReadyForAggregationQueue   queue of ingestion messages (base64 JSON IngestionBlobInfo)
 *   SuccessfulIngestionsQueue / FailedIngestionsQueue   status messages, when the client asked for queue reports
 *   IngestionsStatusTable             status entities, when the client asked for table reports
 * Each URI carries an account SAS for the development account, as ADX's carry SAS tokens for its accounts.
 */
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  ContainerClient,
  generateAccountSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME, type RunningAzurite } from './azurite-process.js';

export const TEMP_CONTAINER = 'kqlgate-tempstorage';
export const READY_QUEUE = 'kqlgate-readyforaggregation-secured';
export const SUCCESS_QUEUE = 'kqlgate-successfulingestions';
export const FAILED_QUEUE = 'kqlgate-failedingestions';
export const STATUS_TABLE = 'kqlgateingestionsstatus';

/** ADX's tokens last hours and the SDK refreshes the resources every hour: a day leaves no gap. */
const SAS_LIFETIME_MS = 24 * 60 * 60_000;

export interface IngestionResource {
  ResourceTypeName: string;
  StorageRoot: string;
}

export class IngestionStorage {
  readonly credential = new StorageSharedKeyCredential(DEV_ACCOUNT_NAME, DEV_ACCOUNT_KEY);
  readonly container: ContainerClient;
  readonly readyQueue: QueueClient;
  readonly successQueue: QueueClient;
  readonly failedQueue: QueueClient;
  readonly statusTable: TableClient;

  constructor(readonly azurite: RunningAzurite) {
    this.container = new ContainerClient(`${azurite.blobEndpoint}/${TEMP_CONTAINER}`, this.credential);
    this.readyQueue = new QueueClient(`${azurite.queueEndpoint}/${READY_QUEUE}`, this.credential);
    this.successQueue = new QueueClient(`${azurite.queueEndpoint}/${SUCCESS_QUEUE}`, this.credential);
    this.failedQueue = new QueueClient(`${azurite.queueEndpoint}/${FAILED_QUEUE}`, this.credential);
    this.statusTable = new TableClient(
      azurite.tableEndpoint,
      STATUS_TABLE,
      new AzureNamedKeyCredential(DEV_ACCOUNT_NAME, DEV_ACCOUNT_KEY),
      { allowInsecureConnection: true },
    );
  }

  /** Creates what is missing (idempotent: the data dir keeps them across restarts). */
  async ensureCreated(): Promise<void> {
    await this.container.createIfNotExists();
    for (const queue of [this.readyQueue, this.successQueue, this.failedQueue]) {
      await queue.createIfNotExists();
    }
    await this.statusTable.createTable();
  }

  /** The rows of `.get ingestion resources`. */
  resources(now = new Date()): IngestionResource[] {
    const sas = this.accountSas(now);
    return [
      { ResourceTypeName: 'TempStorage', StorageRoot: `${this.container.url}?${sas}` },
      { ResourceTypeName: 'SecuredReadyForAggregationQueue', StorageRoot: `${this.readyQueue.url}?${sas}` },
      { ResourceTypeName: 'SuccessfulIngestionsQueue', StorageRoot: `${this.successQueue.url}?${sas}` },
      { ResourceTypeName: 'FailedIngestionsQueue', StorageRoot: `${this.failedQueue.url}?${sas}` },
      {
        ResourceTypeName: 'IngestionsStatusTable',
        StorageRoot: `${this.azurite.tableEndpoint}/${STATUS_TABLE}?${sas}`,
      },
    ];
  }

  /** True when `url` names a blob of this emulator's storage (the only blobs the poller reads). */
  isOwnBlob(url: URL): boolean {
    return `${url.origin}${url.pathname}`.startsWith(`${this.azurite.blobEndpoint}/`);
  }

  private accountSas(now: Date): string {
    return generateAccountSASQueryParameters(
      {
        startsOn: new Date(now.getTime() - 5 * 60_000),
        expiresOn: new Date(now.getTime() + SAS_LIFETIME_MS),
        // Blob, queue and table: one token for every resource.
        services: AccountSASServices.parse('bqt').toString(),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        permissions: AccountSASPermissions.parse('rwdlacup'),
        protocol: SASProtocol.HttpsAndHttp,
      },
      this.credential,
    ).toString();
  }
}
