/** Small hooks shared by the pages. */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Action {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  /** Runs a mutation; returns its result, or undefined after showing its error. */
  run: <T>(work: () => Promise<T>) => Promise<T | undefined>;
}

/** Tracks one user action (a form submit, a button): busy flag and last error. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async <T,>(work: () => Promise<T>) => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (caught) {
      if (mounted.current) {
        setError(caught);
      }
      return undefined;
    } finally {
      if (mounted.current) {
        setBusy(false);
      }
    }
  }, []);

  return { busy, error, setError, run };
}

/**
 * A page's list, read when the page opens: its rows, whether the first read is done, the read's
 * action (busy flag, error) and a way to read it again.
 */
export function useListLoad<T>(fetch: () => Promise<{ items: T[] }>) {
  const [items, setItems] = useState<T[]>([]);
  const [loaded, setLoaded] = useState(false);
  const list = useAction();
  const { run } = list;
  // The latest fetch, without reading the list again each time the page renders a new closure.
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  const load = useCallback(async () => {
    const page = await run(() => fetchRef.current());
    if (page) {
      setItems(page.items);
      setLoaded(true);
    }
  }, [run]);

  useEffect(() => {
    void load();
  }, [load]);

  return { items, setItems, loaded, list, load };
}

/** Toggles a value in a list of ids (checkbox groups). */
export function toggle(list: string[], value: string, on: boolean): string[] {
  const without = list.filter((item) => item !== value);
  return on ? [...without, value] : without;
}

/**
 * Copies a value to the clipboard; where the clipboard is refused (no permission, insecure
 * context) it selects the shown value for a manual copy instead.
 */
export function useCopy(value: string) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const ref = useRef<HTMLElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      const node = ref.current;
      const selection = window.getSelection();
      if (node && selection) {
        const range = document.createRange();
        range.selectNodeContents(node);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopied('no');
    }
  }
  return { copied, copy, ref };
}
