// What other modules may use of legal holds: the questions erasure (and any other removal) must ask.
export { holdsOnContact, messageHeld } from './repo';
