// What other modules may use of the auto-reply module.
export type { LookupResult, LookupRunner, LookupVars } from './lookup';
export type { AutoReplies } from './runner';
