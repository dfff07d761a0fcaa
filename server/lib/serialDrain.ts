/**
 * A queue handled in batches by one worker at a time: whatever arrives while a batch is being
 * handled forms the next one, so batches grow with the load and an idle queue handles a lone
 * item at once. `handle` deals with its own failures; `onIdle` runs when the queue runs dry.
 */
export class SerialDrain<T> {
  private queue: T[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly handle: (batch: T[]) => Promise<void>,
    private readonly maxBatch: number,
    private readonly onIdle: () => void = () => undefined,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  push(items: readonly T[]): void {
    this.queue.push(...items);
    this.kick();
  }

  /** Resolves once everything pushed so far is handled. */
  async flush(): Promise<void> {
    while (this.running) {
      await this.running;
    }
  }

  private kick(): void {
    if (this.running) {
      return;
    }
    if (this.queue.length === 0) {
      this.onIdle();
      return;
    }
    const batch = this.queue.splice(0, this.maxBatch);
    this.running = this.handle(batch).finally(() => {
      this.running = null;
      this.kick();
    });
  }
}
