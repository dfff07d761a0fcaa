import { systemActor } from '../../lib/actor';
import type { Services } from '../../services';
import { sweepAvailability } from './commands';
import type { Router } from './router';

/**
 * The routing sweeper, run in every process every ROUTING_SWEEP_SECONDS: agents whose panel went
 * silent or whose sessions all ended go offline; conversations of agents offline past the grace
 * time go back to the queue; customers waiting past the first-response target are offered to
 * another agent (supervisors alerted); then the queue is routed, which also catches anything
 * another process committed without routing it (a crash between commit and routing). Every step
 * is taken under the routing lock from what the database says, so two processes sweeping at once
 * do each thing once.
 */
export class RoutingSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly s: Services,
    private readonly router: Router,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.s.config.routingSweepSeconds * 1000);
    this.timer.unref();
  }

  /** One sweep (skipped if the previous one is still running). */
  sweep(): Promise<void> {
    this.running ??= this.once().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async once(): Promise<void> {
    try {
      const { config } = this.s;
      await sweepAvailability(this.s, systemActor);
      await this.router.requeueFromOffline(config.reassignGraceSeconds);
      await this.router.offerOverdue(config.firstResponseTargetSeconds);
      this.router.kick();
      await this.router.flush();
    } catch (err) {
      this.s.log.warn({ err: (err as Error).message }, 'routing sweep failed; the next one retries');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.running;
    await this.router.flush();
  }
}
