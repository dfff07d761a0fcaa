// What other parts may use of contact imports: the job's queue and its run.
export { IMPORT_JOB } from './commands';
export { runImport } from './runner';
