// What other modules may use of the outbox module.
export { enqueueOutbox } from './repo';
