// What other modules may use of contacts: the inbox's keyword opt-out hook and the phone rule
// (conversations show the contact's number as the contacts module does: masked without `read`
// on Contact's field waId).
export { optOutOnKeywords } from './keywords';
export { canReadPhone } from './present';
export { maskPhone, regionOf } from './phone';
export type { ContactRow } from './repo';
// Macros change a contact's labels through the same check and command as the contact page.
export { contactSubject, findContact } from './repo';
