// What other modules may use of the routing module.
export { Router } from './router';
export { RoutingSweeper } from './sweeper';
export { offlineIfSignedOut } from './commands';
