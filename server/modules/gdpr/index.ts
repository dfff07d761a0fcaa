// What other modules and the runtime may use of GDPR requests.
export { reapplyLedger, reapplyLedgerAtStartup } from './erasure';
