// The contract between an auto-reply rule that answers from an integration ("bot lookup") and
// the integrations module that makes the HTTPS call and fills the answer's template. The
// integrations module provides the runner (`runLookup`, bound in runtime.ts); this module only
// calls it and sends what it returns.
import type { LookupResult, LookupVars } from '../integrations';

export type { LookupResult, LookupVars };

/** Runs a configured integration for a message (2 s budget, enforced by the runner). */
export type LookupRunner = (integrationId: string, vars: LookupVars) => Promise<LookupResult>;
