/**
 * The source's readiness, from the receive link's real state as MessageSource.subscribe reports it: `link` says
 * whether it is attached now, and the check fails once it has been detached for longer than the threshold (a broker
 * blip of a few seconds does not pull every replica out of service). Errors while detached say why the link does
 * not come back; an outage is logged once and its end once (source-outage-log).
 */
import type { Logger } from '../common/logging/logger.js';
import type { Clock } from './clock.js';
import { ReachabilityTracker, type ReachabilityStatus } from './reachability-tracker.js';
import { SourceOutageLog } from './source-outage-log.js';

export class SourceLinkHealth {
  private readonly health: ReachabilityTracker;
  private readonly outage: SourceOutageLog;
  private attached = false;
  private attachments = 0;

  /** `running`: whether a lost link is news (not while the pipeline drains or stopped). */
  constructor(
    clock: Clock,
    private readonly logger: Logger,
    unreachableThresholdMs: number,
    private readonly running: () => boolean,
  ) {
    this.health = new ReachabilityTracker(clock, unreachableThresholdMs);
    this.outage = new SourceOutageLog(logger, clock);
  }

  /** Not attached until the source says so: an unreachable broker at start-up fails readiness after the threshold. */
  subscribing(): void {
    this.health.markDown('receive link not attached yet');
  }

  onError(error: Error, where: string): void {
    this.outage.failed(error, where);
    if (where === 'receive' && !this.attached) {
      // Why the link does not come back; a receive error on an attached link changes nothing by itself.
      this.health.markDown(error);
    }
  }

  onLink(attached: boolean): void {
    if (attached === this.attached) {
      return;
    }
    this.attached = attached;
    if (attached) {
      const logged = this.outage.recovered();
      if (this.attachments++ > 0 && !logged) {
        this.logger.info('Service Bus receive link attached again; reception resumed');
      }
      this.health.markUp();
    } else if (this.running()) {
      this.logger.warn('Service Bus receive link lost; re-attaching with back-off');
      this.health.markDown('receive link detached; re-attaching');
    }
  }

  status(): ReachabilityStatus {
    const status = this.health.status();
    return { up: status.up, details: { link: this.attached ? 'attached' : 'detached', ...status.details } };
  }
}
