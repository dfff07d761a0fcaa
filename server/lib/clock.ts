/**
 * The application's "now" where the calendar matters: the time a message is received (which
 * also picks its monthly partition) and the months the partition job prepares. Tests move it.
 */
export type Clock = () => Date;

/** The machine's clock. */
export const systemClock: Clock = () => new Date();
