// What other modules may use of retention.
export { runRetention, type RunResult } from './run';
