import type { CannedRow } from './repo';

/** A canned response as the API answers it; `text` is its body filled for a conversation, when asked. */
export function presentCanned(r: CannedRow, text: string | null = null) {
  return {
    id: r.id,
    shared: r.owner_id === null,
    ownerId: r.owner_id,
    shortcut: r.shortcut,
    title: r.title,
    body: r.body,
    text,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
