// GDPR Art. 12(3): a request is answered within one month of receipt, extendable by two further
// months where necessary (the subject is told why). Months are calendar months in UTC; a day the
// target month lacks (31 January + 1 month) becomes its last day.

/** `at` plus `months` calendar months, clamped to the target month's last day. */
export function addMonths(at: Date, months: number): Date {
  const target = new Date(at.getTime());
  const day = at.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

/** The one-month deadline of a request received at `receivedAt`. */
export const dueAfterReceipt = (receivedAt: Date) => addMonths(receivedAt, 1);

/** The furthest an extension may go: two further months after the first deadline. */
export const MAX_EXTENSION_MONTHS = 2;

const DAY_MS = 86_400_000;

/** Whole days left until `due` (negative once overdue; the day of the deadline counts as 0). */
export function daysLeft(due: Date, now: Date): number {
  return Math.floor((due.getTime() - now.getTime()) / DAY_MS);
}
