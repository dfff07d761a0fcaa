// What other modules may use of the channels module.
export { updateChannelsByWaba } from './repo';
