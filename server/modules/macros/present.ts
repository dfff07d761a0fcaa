import type { MacroRow } from './repo';

/** A macro as the API answers it, with whether the caller may run it. */
export function presentMacro(m: MacroRow, runnable: boolean) {
  return {
    id: m.id,
    shared: m.owner_id === null,
    ownerId: m.owner_id,
    name: m.name,
    actions: m.actions,
    runnable,
    createdAt: m.created_at.toISOString(),
    updatedAt: m.updated_at.toISOString(),
  };
}
