// What other modules may use of the identity module.
export { isActiveUser } from './userRepo';
export type { AuthState } from './principal';
