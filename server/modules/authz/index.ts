// What other modules may use of the authz module's data (its guards and SQL helpers are imported directly).
export { findRoleByKey } from './roleRepo';
