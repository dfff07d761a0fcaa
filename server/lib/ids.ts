import { v7 } from 'uuid';

/** A new time-ordered id (UUIDv7): sorts by creation, safe to expose. */
export function newId(): string {
  return v7();
}
