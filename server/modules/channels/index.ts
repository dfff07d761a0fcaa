// What other modules may use of the channels module.
export { findChannel, updateChannelsByWaba } from './repo';
