/**
 * The demo OLTP producer: runs the simulated shop (`OltpSimulator`) against its own store
 * (`OltpStore`, SQLite outbox) and publishes every event to the Service Bus topic.
 *
 * Lifecycle (`start()` returns after step 1; the rest runs in the background):
 * 1. open `<dataDir>/demo/oltp.sqlite` and resume the shop saved there, or create a new one;
 * 2. publish outbox rows a previous run left unsent (same MessageIds);
 * 3. on first start, the shop's history begins `backfillDays` ago: generate that history
 *    quickly (about `backfillEvents` events in total, with past timestamps and the same daily and weekly
 *    shape), publishing as it goes; an interrupted backfill continues where it stopped;
 * 4. go live: every `tickMs`, generate the events due up to now at `rate` events/s and publish them. On the
 *    first live step one incident of each fraud pattern is scheduled, so the fraud functions have recent
 *    material at once. After a restart the shop resumes at the current time (the downtime is not replayed).
 *
 * Publishing is decoupled from generation by the outbox: if the broker is unreachable, events accumulate as
 * unsent rows and are published, in order and with their MessageIds, once it is back.
 */
import type { DemoEvent } from './demo-event.js';
import { demoEventsPublished, type DemoMetricsOptions } from './demo-metrics.js';
import { silentLogger, type Logger } from './logging/logger.js';
import { OltpSimulator, type SimulatorOptions } from './oltp-simulator.js';
import { OltpStore, oltpStorePath } from './oltp-store.js';
import { ServiceBusEventSender, type EventSender } from './servicebus-event-sender.js';

const DAY_MS = 86_400_000;
/** Simulated time generated per backfill transaction; keeps each SQLite transaction small. */
const BACKFILL_CHUNK_MS = 6 * 3_600_000;
/** Upper bound of events per transaction, so a long pause or huge rate cannot build one giant step. */
const MAX_EVENTS_PER_STEP = 5_000;
const SEND_BATCH = 500;
/**
 * The first start publishes its history at most this fast. Producer, broker, ingestion and engine share the
 * machine's cores in `npm start` (one process, several threads): an unpaced backfill keeps two of them busy
 * generating, publishing and routing, so ingestion (and the banner's example calls) would wait behind the whole
 * history; paced, the history lands as it is published.
 */
const BACKFILL_PUBLISH_RATE = 2_000;
/**
 * Live traffic follows half of the daily/weekly curve: still visibly seasonal, but a demo started at 03:00 UTC
 * does not crawl at a tenth of DEMO_RATE. The history uses the full curve, which is what forecasts learn from.
 */
const LIVE_SEASONALITY = 0.5;
/** Stop generating while this many events wait to be published: a dead broker must not fill the disk. */
const MAX_UNSENT = 200_000;

export interface DemoProducerOptions {
  /** Service Bus connection string (Azure, or the embedded broker's `UseDevelopmentEmulator=true` one). */
  connectionString: string;
  topic: string;
  /** Live events per second, averaged over a week (the diurnal and weekly curve modulates it); 0 = no live. */
  rate: number;
  seed: number;
  /** The store lives in `<dataDir>/demo/oltp.sqlite`. */
  dataDir: string;
  /** Days of history generated on first start. Default 7. */
  backfillDays?: number;
  /** Events in the whole backfill (the history is thinner than live traffic). Default 8 000. */
  backfillEvents?: number;
  /** Where the producer logs; default: nowhere. */
  logger?: Logger;
  /** Registry and name prefix of the demo's Prometheus metrics; default prom-client's, `demo_shop_`. */
  metrics?: DemoMetricsOptions;
  /** Overrides for tests. */
  clock?: () => number;
  /** Live step interval; 0 = no timer (tests call `step()`). Default 200 ms. */
  tickMs?: number;
  sender?: EventSender;
  /** Customers registered when the history starts. Default 100 × rate, at least 300, at most 20 000. */
  initialCustomers?: number;
  /** History events published per second at most (see BACKFILL_PUBLISH_RATE); 0 = unpaced. Default 2 000. */
  backfillPublishRate?: number;
}

export interface DemoProducerStats {
  /** Events in the store that were published (this run and earlier ones). */
  published: number;
  byType: Record<string, number>;
  /** Events generated but not yet accepted by the broker. */
  unsent: number;
  /** Simulated time of the last generated event. */
  clock: string | null;
  /** True while the history is being generated and published. */
  backfilling: boolean;
  lastError: string | null;
}

export class DemoProducer {
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly tickMs: number;
  private readonly backfillDays: number;
  private readonly backfillEvents: number;
  private readonly simOptions: SimulatorOptions;
  private store?: OltpStore;
  private sender?: EventSender;
  private sim?: OltpSimulator;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private background?: Promise<void>;
  private stopping = false;
  private published = 0;
  private byType: Record<string, number> = {};
  private unsent = 0;
  private lastError: string | null = null;
  private backfilling = false;
  private failures = 0;

  constructor(private readonly opts: DemoProducerOptions) {
    if (!Number.isFinite(opts.rate) || opts.rate < 0) {
      throw new Error(`DemoProducer: rate must be a number of events per second >= 0, got ${opts.rate}`);
    }
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? Date.now;
    this.tickMs = opts.tickMs ?? 200;
    this.backfillDays = opts.backfillDays ?? 7;
    this.backfillEvents = opts.backfillEvents ?? 8_000;
    if (!(this.backfillDays >= 0)) {
      throw new Error(`DemoProducer: backfillDays must be >= 0, got ${this.backfillDays}`);
    }
    // Enough customers that, at the live rate, a normal account places only a few orders per hour.
    const initialCustomers =
      opts.initialCustomers ?? Math.min(20_000, Math.max(300, Math.round(opts.rate * 100)));
    this.simOptions = {
      seed: opts.seed,
      initialCustomers,
      initialRegistrationSpanMs: initialRegistrationSpan(this.backfillDays, initialCustomers),
    };
  }

  get storeFile(): string {
    return oltpStorePath(this.opts.dataDir);
  }

  /**
   * Opens the store and resumes or creates the shop, then returns: publishing left-over events, the backfill
   * and the live steps run in the background (`stop()` waits for them). With `waitForBackfill` the promise
   * resolves only once the history is generated and a first publish was attempted (tests, benchmarks).
   */
  async start(options: { waitForBackfill?: boolean } = {}): Promise<void> {
    if (this.store) {
      throw new Error('DemoProducer.start: already started');
    }
    const store = OltpStore.open(this.storeFile);
    this.store = store;
    this.sender = this.opts.sender ?? new ServiceBusEventSender(this.opts.connectionString, this.opts.topic);
    const sent = store.countsByType({ sentOnly: true });
    this.byType = sent;
    this.published = Object.values(sent).reduce((a, b) => a + b, 0);
    this.unsent = store.unsentCount();

    const now = this.clock();
    const snapshot = store.loadSnapshot();
    if (snapshot) {
      this.sim = OltpSimulator.restore(this.simOptions, store.followUps, snapshot);
      this.logger.info(
        { store: this.storeFile, events: snapshot.seq, clock: new Date(snapshot.clockMs).toISOString() },
        'demo producer: resuming the existing shop',
      );
    } else {
      const startMs = now - this.backfillDays * DAY_MS;
      this.sim = store.transaction(() => {
        store.setValue('backfill_until', String(now));
        const sim = OltpSimulator.create(this.simOptions, store.followUps, startMs);
        store.saveSnapshot(sim.snapshot());
        return sim;
      });
      this.logger.info(
        { store: this.storeFile, seed: this.opts.seed, backfillDays: this.backfillDays },
        'demo producer: created a new shop',
      );
    }
    this.background = this.runBackground().catch((error: unknown) => {
      this.logger.error({ err: error }, 'demo producer: backfill failed; live steps continue');
      if (this.tickMs > 0 && !this.stopping) {
        this.schedule();
      }
    });
    if (options.waitForBackfill) {
      await this.background;
    }
  }

  private async runBackground(): Promise<void> {
    let publishing = true;
    if (this.unsent > 0) {
      this.logger.info(
        { unsent: this.unsent },
        'demo producer: publishing events left unsent by the previous run',
      );
      publishing = await this.tryFlush();
    }
    await this.backfill(publishing);
    if (this.tickMs > 0 && !this.stopping) {
      this.schedule();
    }
  }

  /** One live step: generate what is due up to the clock's now, then publish. Returns the events generated. */
  async step(): Promise<number> {
    const generated = this.generate(this.clock(), this.opts.rate, true);
    await this.flush();
    return generated;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.background;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.running;
    await this.sender?.close();
    this.store?.close();
    this.logger.info({ published: this.published, unsent: this.unsent }, 'demo producer stopped');
  }

  stats(): DemoProducerStats {
    return {
      published: this.published,
      byType: { ...this.byType },
      unsent: this.unsent,
      clock: this.sim ? new Date(this.sim.clockMs).toISOString() : null,
      backfilling: this.backfilling,
      lastError: this.lastError,
    };
  }

  private requireStarted(): { store: OltpStore; sender: EventSender; sim: OltpSimulator } {
    if (!this.store || !this.sender || !this.sim) {
      throw new Error('DemoProducer: call start() first');
    }
    return { store: this.store, sender: this.sender, sim: this.sim };
  }

  /**
   * Generates the missing history. While the broker accepts messages they are published chunk by chunk; after
   * a failure the rest is only generated (SDK retries can take tens of seconds) and the live steps publish it.
   */
  private async backfill(publishing: boolean): Promise<void> {
    const { store } = this.requireStarted();
    const until = Number(store.getValue('backfill_until') ?? 0);
    if (!(this.requireStarted().sim.clockMs < until)) {
      return;
    }
    this.backfilling = true;
    const began = performance.now();
    const rate = this.backfillDays > 0 ? this.backfillEvents / (this.backfillDays * 86_400) : 0;
    const publishRate = this.opts.backfillPublishRate ?? BACKFILL_PUBLISH_RATE;
    let events = 0;
    try {
      while (!this.stopping && this.requireStarted().sim.clockMs < until) {
        const target = Math.min(until, this.requireStarted().sim.clockMs + BACKFILL_CHUNK_MS);
        events += this.generate(target, rate, false);
        if (publishing) {
          publishing = await this.tryFlush();
        }
        // Let the rest of the process (ingestion, queries) run between chunks, and keep to the publish rate.
        const dueMs = publishRate > 0 ? (events / publishRate) * 1000 : 0;
        await sleep(Math.max(0, dueMs - (performance.now() - began)));
      }
    } finally {
      this.backfilling = false;
    }
    this.logger.info(
      { events, days: this.backfillDays, ms: Math.round(performance.now() - began), unsent: this.unsent },
      'demo producer: history backfilled',
    );
  }

  /** One outbox transaction: advance the simulator, insert its events, save its state. */
  private generate(untilMs: number, rate: number, live: boolean): number {
    const { store } = this.requireStarted();
    if (this.unsent >= MAX_UNSENT) {
      return 0;
    }
    const nowMs = this.clock();
    let events: DemoEvent[];
    try {
      events = store.transaction(() => {
        const sim = this.requireStarted().sim;
        if (live && store.getValue('live_since') === undefined) {
          // First live step of this shop: stage one incident of each fraud pattern right away.
          store.setValue('live_since', String(nowMs));
          sim.skipTo(untilMs);
          sim.injectFraud(untilMs + 2_000);
        } else if (live && sim.clockMs < untilMs - 60_000) {
          // Restarted after a pause: resume now rather than replaying the downtime at full rate.
          sim.skipTo(untilMs);
        }
        const generated = sim.advance(untilMs, rate, MAX_EVENTS_PER_STEP, live ? LIVE_SEASONALITY : 1);
        store.insertEvents(generated, nowMs);
        store.saveSnapshot(sim.snapshot());
        return generated;
      });
    } catch (error) {
      // The transaction rolled back; the in-memory simulator may be ahead of the store, so reload it.
      const snapshot = store.loadSnapshot();
      if (snapshot) {
        this.sim = OltpSimulator.restore(this.simOptions, store.followUps, snapshot);
      }
      throw error;
    }
    this.unsent += events.length;
    return events.length;
  }

  private async tryFlush(): Promise<boolean> {
    try {
      await this.flush();
      return true;
    } catch (error) {
      // Send failures were logged by flush(); anything else is a bug worth seeing.
      if (this.failures === 0) {
        this.logger.error({ err: error }, 'demo producer: publishing the outbox failed');
      }
      return false;
    }
  }

  /** Publishes unsent outbox rows in order; on failure they stay unsent and the next step retries. */
  private async flush(): Promise<void> {
    const { store, sender } = this;
    if (!store || !sender) {
      throw new Error('DemoProducer: call start() first');
    }
    let afterSeq = 0;
    for (;;) {
      const batch = store.unsent(SEND_BATCH, afterSeq);
      if (batch.length === 0) {
        return;
      }
      try {
        await sender.send(batch);
      } catch (error) {
        this.failures++;
        this.lastError = (error as Error).message;
        // Log the first failure and then every 50th, so a broker outage does not flood the log.
        if (this.failures === 1 || this.failures % 50 === 0) {
          this.logger.warn(
            { err: error, unsent: this.unsent, firstMessageId: batch[0].messageId, failures: this.failures },
            'demo producer: publishing failed; events stay in the outbox and will be retried',
          );
        }
        throw error;
      }
      store.markSent(
        batch.map((m) => m.seq),
        this.clock(),
      );
      if (this.failures > 0) {
        this.logger.info({ failures: this.failures }, 'demo producer: publishing recovered');
        this.failures = 0;
        this.lastError = null;
      }
      const counter = demoEventsPublished(this.opts.metrics);
      for (const m of batch) {
        this.byType[m.eventType] = (this.byType[m.eventType] ?? 0) + 1;
        counter.inc({ type: m.eventType });
      }
      this.published += batch.length;
      this.unsent = Math.max(0, this.unsent - batch.length);
      afterSeq = batch[batch.length - 1].seq;
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = this.step()
        .then(() => undefined)
        .catch((error: unknown) => {
          if (this.failures === 0) {
            this.logger.error({ err: error }, 'demo producer: step failed');
          }
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopping) {
            this.schedule();
          }
        });
    }, this.tickMs);
    this.timer.unref();
  }
}

/**
 * With a history, the starting customers sign up over its first day (at most a quarter of it), interleaved with
 * the first orders, rather than as one burst of thousands of events that the first orders wait behind on the
 * topic; at most a minute apart, so the fraud victims (customers 7–29) are registered within the first half hour,
 * before their first habitual order. Without a history (live only) they all register at once, as before.
 */
function initialRegistrationSpan(backfillDays: number, initialCustomers: number): number {
  return Math.min(DAY_MS, (backfillDays * DAY_MS) / 4, initialCustomers * 60_000);
}

/** Resolves after `ms` (0: after pending I/O callbacks, i.e. yields the event loop once). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (ms > 0) {
      setTimeout(resolve, ms);
    } else {
      setImmediate(resolve);
    }
  });
}
