// What other parts may use of e-discovery: the job's work and the expiry sweep.
export { EXPORT_QUEUE, expireExports, performExport } from './exports';
