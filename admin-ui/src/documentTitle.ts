/**
 * The browser tab's title: the page's own ("Inbox · Switchboard"), led by the number of customers
 * waiting when there are any ("(3) Inbox · Switchboard"), so a background tab shows it.
 */
let pageTitle = document.title;
let waiting: number | null = null;

function apply(): void {
  document.title = waiting ? `(${waiting}) ${pageTitle}` : pageTitle;
}

/** The current page's title (PageTitle sets it). */
export function setPageTitle(title: string): void {
  pageTitle = title;
  apply();
}

/** The unassigned count to show before it, or null for none. */
export function setTitleCount(count: number | null): void {
  waiting = count;
  apply();
}
