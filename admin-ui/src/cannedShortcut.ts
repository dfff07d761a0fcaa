/** The composer's `/shortcut` rules, apart from React so they are tested on their own. */
import type { CannedResponse } from './cannedApi';

/** How many responses the list shows at once: enough to choose from, short enough for a phone. */
const SHOWN = 8;

/** The `/word` being typed just before the caret (at the start of the text or after a space), or null. */
export function shortcutAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)\/([a-z0-9_-]*)$/i.exec(text.slice(0, caret));
  return match ? { start: caret - match[2]!.length - 1, query: match[2]!.toLowerCase() } : null;
}

/** Shortcuts starting with the query first, then titles containing it. */
export function matching(items: CannedResponse[], query: string): CannedResponse[] {
  const byShortcut = items.filter((r) => r.shortcut.startsWith(query));
  const byTitle = items.filter((r) => !r.shortcut.startsWith(query) && r.title.toLowerCase().includes(query));
  return [...byShortcut, ...byTitle].slice(0, SHOWN);
}
