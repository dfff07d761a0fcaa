// What other modules may use of integrations: the bot lookup auto-reply rules call.
export { runLookup } from './lookup';
export type { LookupResult } from './caller';
export type { LookupVars } from './templates';
export { findIntegration } from './repo';
