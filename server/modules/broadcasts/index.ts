// What other modules and the jobs may use of broadcasts.
export { BROADCAST_JOB } from './commands';
export { broadcastTick, runBroadcast } from './runner';
