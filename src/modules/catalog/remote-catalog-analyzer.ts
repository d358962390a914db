import { Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from '../../common/logging/logger.js';
import type { CatalogBuildReply, CatalogBuildRequest } from './catalog-analysis-messages.js';
import { inThreadCatalogAnalyzer, type CatalogAnalyzer } from './catalog-analyzer.js';
import type { Catalog, KqlSourceFile } from './catalog.types.js';

interface PendingBuild {
  files: readonly KqlSourceFile[];
  version: number;
  resolve(catalog: Catalog): void;
  reject(error: Error): void;
}

/** What carries requests to the analyzing thread: its Worker, or a MessagePort to a thread that serves builds. */
type BuildChannel = Worker | MessagePort;

function sameFiles(a: readonly KqlSourceFile[], b: readonly KqlSourceFile[]): boolean {
  return a.length === b.length && a.every((file, i) => file.path === b[i].path && file.text === b[i].text);
}

/**
 * Analyzes catalogs in another thread (catalog-build-server.ts serves there): the main thread keeps serving
 * requests and ingesting while Kusto.Language works, and never loads Kusto.Language itself. Needs the compiled
 * build (dist/). If the other thread goes away, builds continue in this thread (logged once) rather than failing.
 */
export class RemoteCatalogAnalyzer implements CatalogAnalyzer {
  private nextId = 1;
  private readonly pending = new Map<number, PendingBuild>();
  private prefetched?: { files: readonly KqlSourceFile[]; version: number; catalog: Promise<Catalog> };
  private channel?: BuildChannel;
  private closed = false;

  private constructor(
    private readonly logger: Logger,
    channel: BuildChannel,
    private readonly ownsThread: boolean,
  ) {
    this.channel = channel;
    // Only pending builds need it; it must not keep a finished process alive.
    channel.unref();
    channel.on('message', (reply: CatalogBuildReply) => this.settle(reply));
    if (channel instanceof Worker) {
      channel.on('error', (error) => this.fallBack(error));
      channel.on('exit', (code) => this.fallBack(new Error(`exited with code ${code}`)));
    } else {
      channel.on('close', () => this.fallBack(new Error('its message port closed')));
    }
  }

  /** A thread of its own that only analyzes catalogs. */
  static inOwnThread(logger: Logger): RemoteCatalogAnalyzer {
    const worker = new Worker(new URL('./catalog-analysis-worker.js', import.meta.url), {
      name: 'kqlgate-catalog',
    });
    return new RemoteCatalogAnalyzer(logger, worker, true);
  }

  /** A port to a thread that already serves builds (the embedded engine's, which has Kusto.Language loaded). */
  static overPort(port: MessagePort, logger: Logger): RemoteCatalogAnalyzer {
    return new RemoteCatalogAnalyzer(logger, port, false);
  }

  /**
   * Starts analyzing `files` at once (`npm start` does this while the gateway's modules load); the first build()
   * asking for the same files and version gets this result instead of starting over.
   */
  prefetch(files: readonly KqlSourceFile[], version: number): void {
    const catalog = this.request(files, version);
    // Whoever asks for it sees a failure; an unused prefetch must not become an unhandled rejection.
    catalog.catch(() => undefined);
    this.prefetched = { files, version, catalog };
  }

  build(files: readonly KqlSourceFile[], options: { version: number }): Promise<Catalog> {
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    if (prefetched && prefetched.version === options.version && sameFiles(prefetched.files, files)) {
      return prefetched.catalog;
    }
    return this.request(files, options.version);
  }

  /** Stops using the other thread (and stops it, if it is this analyzer's own); builds still running fail. */
  async close(): Promise<void> {
    this.closed = true;
    const channel = this.channel;
    this.channel = undefined;
    for (const [id, build] of this.pending) {
      this.pending.delete(id);
      build.reject(new Error('the catalog analyzer was closed during a build'));
    }
    if (channel instanceof Worker && this.ownsThread) {
      await channel.terminate();
    } else if (channel && !(channel instanceof Worker)) {
      channel.close();
    }
  }

  private request(files: readonly KqlSourceFile[], version: number): Promise<Catalog> {
    if (this.closed) {
      return Promise.reject(new Error('the catalog analyzer is closed'));
    }
    const channel = this.channel;
    if (!channel) {
      return inThreadCatalogAnalyzer.build(files, { version });
    }
    const id = this.nextId++;
    return new Promise<Catalog>((resolve, reject) => {
      this.pending.set(id, { files, version, resolve, reject });
      const request: CatalogBuildRequest = { id, files: [...files], version };
      channel.postMessage(request);
    });
  }

  private settle(reply: CatalogBuildReply): void {
    const build = this.pending.get(reply.id);
    if (!build) {
      return;
    }
    this.pending.delete(reply.id);
    if ('catalog' in reply) {
      build.resolve(reply.catalog);
      return;
    }
    const error = new Error(`catalog analysis failed: ${reply.error.message}`);
    error.stack = `${error.message}\n  in the analysis thread: ${reply.error.stack ?? ''}`;
    build.reject(error);
  }

  /** The other thread went away: analyze here from now on, including the builds it had not answered. */
  private fallBack(error: Error): void {
    if (this.closed || !this.channel) {
      return;
    }
    this.channel = undefined;
    this.logger.warn(
      { err: error },
      'the catalog analysis thread stopped; analyzing kql/ in the main thread',
    );
    for (const [id, build] of this.pending) {
      this.pending.delete(id);
      inThreadCatalogAnalyzer.build(build.files, { version: build.version }).then(
        (catalog) => build.resolve(catalog),
        (error: Error) => build.reject(error),
      );
    }
  }
}
