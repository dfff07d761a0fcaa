// What other modules and the runtime may use of GDPR requests.
export { expireArchives, reapplyLedger, reapplyLedgerAtStartup } from './erasure';
