// What other modules may use of the teams module.
export { teamExists } from './repo';
