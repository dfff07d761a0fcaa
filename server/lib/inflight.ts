/**
 * A budget of bytes in flight at once (request bodies being read and processed). A reservation
 * that does not fit is refused rather than queued, so the caller can answer "busy" at once;
 * one reservation always fits an empty budget, so a single large request is never starved.
 */
export class InflightBudget {
  private used = 0;

  constructor(private readonly maxBytes: number) {}

  /** Reserves `bytes`; the release function, or null when the budget is full. */
  tryReserve(bytes: number): (() => void) | null {
    if (this.used > 0 && this.used + bytes > this.maxBytes) {
      return null;
    }
    this.used += bytes;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.used -= bytes;
      }
    };
  }

  /** Bytes reserved now. */
  get inUse(): number {
    return this.used;
  }
}
